"""Priority: low, normal, high or urgent, with the reasons.

Priority starts from what the ticket is about (``INTENT_LEVELS``: a feature idea can wait, a
chargeback has a bank's deadline) and moves up for what raises the stakes: a pay date at risk
(Fernhill's escalation playbook: payroll tickets that threaten a pay date are always urgent,
whatever the tier), an outage or money a business cannot reach, a deadline today, a lockout, an
upset customer, and an angry one with a serious problem. A question from a free plan with
nothing wrong is low. The tier does not raise priority: the demo labels put VIP questions at
every level, and the vip escalation trigger already hands VIP tickets to a person. Each step
names its reason, so an agent can see why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from retrieval.sentiment import Sentiment

LEVELS = ("low", "normal", "high", "urgent")

INTENT_LEVELS = {
    "feature_request": "low",
    "other": "low",
    "legal_complaint": "high",
    "chargeback_dispute": "high",
    "payroll_run_issue": "high",
}
# (level the ticket rises to at least, reason, pattern over subject and body)
RAISES: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (level, reason, re.compile(pattern, re.IGNORECASE))
    for level, reason, pattern in (
        (
            "urgent",
            "a pay date is at risk",
            r"(?:payroll|wages|payday|pay ?date)\b.{0,80}\b(?:due|today|tomorrow|friday|late|"
            r"not (?:been )?paid|don'?t get paid|won'?t get paid|deadline)|\b(?:can'?t|cannot|"
            r"unable to) pay (?:my |our )?(?:staff|employees|team|wages|people)|"
            r"(?:employees|staff|carers|wages)\b.{0,40}\b(?:not (?:been )?(?:paid|arrived)|"
            r"(?:get|be) paid on)|"
            r"nómina",
        ),
        (
            "high",
            "an outage or money the business cannot reach",
            r"\boutage\b|\bis down\b|\bpayouts? (?:are |is )?(?:paused|frozen|withheld|late|"
            r"missing|short)|account (?:is )?frozen|\bno payout\b|\bwithheld\b",
        ),
        (
            "high",
            "a deadline today or tomorrow",
            r"\b(?:today|tomorrow|tonight|asap|urgent(?:ly)?|right now|immediately)\b",
        ),
        (
            "high",
            "locked out of the account",
            r"\blocked out\b|\bcan'?t (?:get in|sign in|log ?in|get into)\b",
        ),
    )
)
# Sentiment scores (retrieval.sentiment, -1 to 1) at which the customer's mood raises priority.
UPSET = -0.6
ANGRY = -0.95


@dataclass(frozen=True)
class Priority:
    label: str
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "reasons": list(self.reasons)}


def assess_priority(*, intent: str, tier: str, sentiment: Sentiment, text: str) -> Priority:
    """The ticket's priority from its intent, tier, sentiment and wording."""
    level = LEVELS.index(INTENT_LEVELS.get(intent, "normal"))
    reasons = [f"intent {intent}"]

    def at_least(target: str, reason: str) -> None:
        nonlocal level
        if LEVELS.index(target) > level:
            level = LEVELS.index(target)
            reasons.append(reason)

    for target, reason, pattern in RAISES:
        if pattern.search(text):
            at_least(target, reason)
    if sentiment.score <= UPSET:
        at_least("high", "the customer is upset")
    if sentiment.score <= ANGRY and level >= LEVELS.index("high"):
        at_least("urgent", "an angry customer with a serious problem")
    if tier == "free" and level == 1 and sentiment.label != "negative":
        level, reasons = 0, [*reasons, "free plan, no problem reported"]
    return Priority(LEVELS[level], tuple(reasons))
