"""A proposal's priority: how many tickets it would have served, weighted by who asked."""

from __future__ import annotations

from collections.abc import Iterable

from review.signals import ESCALATED_DRAFT, REOPENED

# A VIP's unanswered question weighs as much as three standard customers'.
TIER_WEIGHTS = {"free": 0.5, "standard": 1.0, "premium": 2.0, "vip": 3.0}
# A ticket that came back or had to go to a person cost more than one answered in one go.
SIGNAL_WEIGHTS = {REOPENED: 0.5, ESCALATED_DRAFT: 0.5}
# Lower bounds of each label, highest first.
LABELS = (("urgent", 10.0), ("high", 6.0), ("normal", 3.0), ("low", 0.0))


def ticket_weight(tier: str, signals: Iterable[str]) -> float:
    return TIER_WEIGHTS.get(tier, 1.0) + sum(SIGNAL_WEIGHTS.get(s, 0.0) for s in signals)


def label(score: float) -> str:
    return next(name for name, floor in LABELS if score >= floor)


def score_tickets(tickets: Iterable[tuple[str, Iterable[str]]]) -> tuple[float, str]:
    """(score, label) for (tier, signals) pairs, one per evidence ticket."""
    score = round(sum(ticket_weight(tier, signals) for tier, signals in tickets), 2)
    return score, label(score)


def score_stale(
    days_overdue: int | None, citing: Iterable[tuple[str, Iterable[str]]]
) -> tuple[float, str]:
    """(score, label) of a stale document: a month overdue counts like one ticket (three at
    most), plus the reopened or escalated tickets that cited it."""
    overdue = min(max(days_overdue or 0, 0) / 30, 3.0)
    tickets, _ = score_tickets(citing)
    score = round(overdue + tickets, 2)
    return score, label(score)
