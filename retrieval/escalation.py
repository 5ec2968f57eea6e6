"""Escalation triggers: when a person must take the ticket over, why, and the words that say so.

Each trigger (configured in ``config/escalation.yaml``, see ``retrieval.escalation_config``)
reads the ticket and what detection found in it, and either stays silent or returns an
``EscalationReason``: the trigger's name, a sentence for the agent, and the ``Evidence`` — a
span of one field of the ticket (``subject``, ``body``, ``history[i].subject``,
``customer.tier``, ``created_at``; see ``retrieval.tickets``) whose text really is at those
offsets. Reasons never quote the ticket, so they can be logged and audited as they are; the
evidence, which does quote it, goes only to the agent.

=================== ===============================================================
vip                 the customer's tier is a VIP tier
legal               lawyers, courts, regulators, formal complaints
churn               cancelling Fernhill, switching to a competitor, "last chance"
repeat_contact      enough earlier contacts about the same problem, recently
negative_sentiment  the sentiment score is at or below the threshold
sla                 open longer than the tier's and channel's time allowed with the AI
=================== ===============================================================
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from retrieval.escalation_config import EscalationConfig, PhraseConfig
from retrieval.intents import FALLBACK_INTENT, IntentGuess
from retrieval.sentiment import Sentiment
from retrieval.tickets import TicketIn

_FIRST_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


@dataclass(frozen=True)
class Evidence:
    """Where a trigger's reason is written: ``ticket.text_of(field)[start:end] == text``."""

    field: str
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class EscalationReason:
    trigger: str
    reason: str
    evidence: Evidence

    def to_dict(self) -> dict[str, Any]:
        return {"trigger": self.trigger, "reason": self.reason, "evidence": self.evidence.to_dict()}


@dataclass(frozen=True)
class Escalation:
    reasons: tuple[EscalationReason, ...] = ()

    @property
    def required(self) -> bool:
        return bool(self.reasons)

    @property
    def triggers(self) -> list[str]:
        return [r.trigger for r in self.reasons]

    def to_dict(self) -> dict[str, Any]:
        return {"required": self.required, "reasons": [r.to_dict() for r in self.reasons]}


@dataclass(frozen=True)
class HistoryMatch:
    """How one earlier contact relates to the ticket: its own intent, and how alike it is."""

    intent: str
    similarity: float


@dataclass(frozen=True)
class Findings:
    """What detection found that the triggers read."""

    intent: IntentGuess
    sentiment: Sentiment
    history: tuple[HistoryMatch, ...] = ()  # one per ``ticket.history`` item, same order


Trigger = Callable[[TicketIn, Findings, datetime], EscalationReason | None]


class EscalationRules:
    """The configured triggers, run in a fixed order (the order of the playbook's table)."""

    def __init__(self, config: EscalationConfig) -> None:
        self.config = config
        self._triggers: tuple[tuple[bool, Trigger], ...] = (
            (config.vip.enabled, self._vip),
            (config.legal.enabled, self._legal),
            (config.churn.enabled, self._churn),
            (config.repeat_contact.enabled, self._repeat_contact),
            (config.negative_sentiment.enabled, self._negative_sentiment),
            (config.sla.enabled, self._sla),
        )

    def evaluate(self, ticket: TicketIn, findings: Findings, *, now: datetime) -> Escalation:
        reasons = []
        for enabled, trigger in self._triggers:
            reason = trigger(ticket, findings, now) if enabled else None
            if reason is not None:
                reasons.append(reason)
        return Escalation(tuple(reasons))

    def route_by(self, ticket: TicketIn) -> datetime | None:
        """When the ticket must be with a person at the latest (the SLA rule), if it has one."""
        sla = self.config.sla
        limit = sla.limit(ticket.tier, ticket.channel)
        if not sla.enabled or limit is None or ticket.created_at is None:
            return None
        return ticket.created_at + timedelta(minutes=limit)

    # --- the triggers -------------------------------------------------------------------------

    def _vip(self, ticket: TicketIn, findings: Findings, now: datetime) -> EscalationReason | None:
        if ticket.tier not in self.config.vip.tiers:
            return None
        return EscalationReason(
            "vip",
            "High-value account (VIP tier): a person answers every VIP ticket and the Customer "
            "Success owner is told.",
            _whole(ticket, "customer.tier"),
        )

    def _legal(
        self, ticket: TicketIn, findings: Findings, now: datetime
    ) -> EscalationReason | None:
        evidence = _first_phrase(ticket, self.config.legal)
        if evidence is None:
            return None
        return EscalationReason(
            "legal",
            "Legal issue (a lawyer, court, regulator or formal complaint): the Legal queue "
            "answers, and nobody discusses liability meanwhile.",
            evidence,
        )

    def _churn(
        self, ticket: TicketIn, findings: Findings, now: datetime
    ) -> EscalationReason | None:
        config = self.config.churn
        evidence = _first_phrase(ticket, config)
        if evidence is None:
            intent = findings.intent
            if intent.id not in config.intents or intent.confidence < config.min_intent_confidence:
                return None
            evidence = _headline(ticket)
        return EscalationReason(
            "churn",
            "Churn risk (cancelling, or moving to a competitor): the retention team should "
            "answer before the customer leaves.",
            evidence,
        )

    def _repeat_contact(
        self, ticket: TicketIn, findings: Findings, now: datetime
    ) -> EscalationReason | None:
        config = self.config.repeat_contact
        until = ticket.created_at or now
        since = until - timedelta(days=config.window_days)
        recent = [
            (index, match)
            for index, (item, match) in enumerate(
                zip(ticket.history, findings.history, strict=True)
            )
            if item.at is not None and since <= item.at <= until
        ]
        alike = {findings.intent.id, findings.intent.runner_up} - {FALLBACK_INTENT, None}
        linked = {m.intent for _, m in recent if m.intent in alike}
        linked |= {m.intent for _, m in recent if m.similarity >= config.min_similarity}
        # An earlier contact is about the same problem when it is like this ticket, or has the
        # intent of one that is: the third message about a lockout may read like a payroll
        # problem ("payroll is due today"), yet the two earlier contacts agree with each other.
        same = [
            index
            for index, m in recent
            if m.intent in linked - {FALLBACK_INTENT} or m.similarity >= config.min_similarity
        ]
        if len(same) < config.min_contacts:
            return None
        latest = same[-1]
        field = "subject" if ticket.history[latest].subject else "summary"
        refs = ", ".join(ticket.history[i].id for i in same)
        return EscalationReason(
            "repeat_contact",
            f"Repeat contact: {len(same)} earlier contacts about the same problem in the last "
            f"{config.window_days} days ({refs}); a team lead should take it over.",
            _whole(ticket, f"history[{latest}].{field}"),
        )

    def _negative_sentiment(
        self, ticket: TicketIn, findings: Findings, now: datetime
    ) -> EscalationReason | None:
        sentiment = findings.sentiment
        cue = sentiment.strongest
        if sentiment.score > self.config.negative_sentiment.max_score or cue is None:
            return None
        return EscalationReason(
            "negative_sentiment",
            f"Strongly negative sentiment (score {sentiment.score:.2f}, threshold "
            f"{self.config.negative_sentiment.max_score:.2f}): a team lead should answer.",
            Evidence(cue.field, cue.start, cue.end, cue.text),
        )

    def _sla(self, ticket: TicketIn, findings: Findings, now: datetime) -> EscalationReason | None:
        deadline = self.route_by(ticket)
        if ticket.status not in self.config.sla.statuses or deadline is None or now <= deadline:
            return None
        assert ticket.created_at is not None  # route_by needs it
        hours = (now - ticket.created_at).total_seconds() / 3600
        limit = (deadline - ticket.created_at).total_seconds() / 3600
        return EscalationReason(
            "sla",
            f"Service level: open {hours:.0f} h with the AI, over the {limit:.0f} h allowed for "
            f"{ticket.tier} {ticket.channel} tickets; route it to a person now.",
            _whole(ticket, "created_at"),
        )


def _first_phrase(ticket: TicketIn, config: PhraseConfig) -> Evidence | None:
    """The first configured phrase in the subject, else the body, not vetoed by ``unless``."""
    for field in ("subject", "body"):
        text = ticket.text_of(field)
        vetoes = [m.span() for pattern in config.unless for m in pattern.finditer(text)]
        hits = sorted(  # the earliest phrase, the longest of those starting together
            (m.start(), -m.end())
            for pattern in config.patterns
            for m in pattern.finditer(text)
            if not any(m.start() < end and start < m.end() for start, end in vetoes)
        )
        if hits:
            start, end = hits[0][0], -hits[0][1]
            return Evidence(field, start, end, text[start:end])
    return None


def _headline(ticket: TicketIn) -> Evidence:
    """The ticket's own summary of itself: the subject, or the body's first sentence."""
    if ticket.subject.strip():
        return _whole(ticket, "subject")
    match = _FIRST_SENTENCE.search(ticket.body)
    start, end = match.span() if match else (0, len(ticket.body))
    return Evidence("body", start, end, ticket.body[start:end])


def _whole(ticket: TicketIn, field: str) -> Evidence:
    text = ticket.text_of(field)
    return Evidence(field, 0, len(text), text)
