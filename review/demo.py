"""The demo company's resolved tickets as the helpdesk would have reported them.

``tandem demo`` records a ``TicketResolution`` for each seeded resolved ticket (its final reply
redacted with the ticket's identity as the deny-list, as ``POST .../resolved`` would store it)
and then runs the refresh scan, so the review queue opens with proposals in it. Idempotent:
a ticket with a resolution already gets no second one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from kb.database import Database
from kb.demo import DEMO_ACTOR, demo_tickets
from retrieval.drafts import TicketResolution
from retrieval.tickets import identity_deny_list
from review.interfaces import TextRedactor


def resolved(tickets: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [t for t in tickets if t.get("status") == "resolved" and t.get("final_reply")]


def seed_resolutions(database: Database, redactor: TextRedactor) -> int:
    """Record the demo's resolved tickets not recorded yet; returns how many were added."""
    tickets = resolved(demo_tickets())
    with database.sessions() as session:
        known = set(session.scalars(select(TicketResolution.ticket_ref)))
    todo = [t for t in tickets if str(t["id"]) not in known]
    if not todo:
        return 0
    replies = redactor.redact_many(
        [str(t["final_reply"]) for t in todo],
        deny=[identity_deny_list(t.get("customer") or {}) for t in todo],
    )
    with database.transaction() as session:
        for ticket, reply in zip(todo, replies, strict=True):
            created: datetime = ticket["created_at"]
            session.add(
                TicketResolution(
                    ticket_ref=str(ticket["id"]),
                    resolved_at=created,
                    final_reply=reply.text,
                    outcome=str(ticket.get("outcome") or "solved"),
                    csat=ticket.get("csat"),
                    reopened=bool(ticket.get("reopened", False)),
                    draft_id=None,
                    reported_by=DEMO_ACTOR,
                )
            )
    return len(todo)
