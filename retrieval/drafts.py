"""Drafts, the agent's decision on each, and resolved tickets: the rows the audit log points at."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Float, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.database import Base, UTCDateTime, utcnow

SUGGESTED, ACCEPTED, EDITED, ESCALATED = "suggested", "accepted", "edited", "escalated"


def new_draft_id() -> str:
    return "drf_" + uuid.uuid4().hex


class Draft(Base):
    """One AI suggestion for one ticket, and what the agent did with it."""

    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=new_draft_id)
    ticket_ref: Mapped[str] = mapped_column(String(100), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)  # the full response document, JSON
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    mode: Mapped[str] = mapped_column(String(16), default="extractive")
    card_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=SUGGESTED, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    decision: Mapped[str] = mapped_column(Text, default="{}")  # JSON

    @property
    def document(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.body)
        return loaded

    @property
    def decision_document(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.decision)
        return loaded


class TicketResolution(Base):
    """A ticket the helpdesk reports resolved: what was finally sent and how it went."""

    __tablename__ = "ticket_resolutions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_ref: Mapped[str] = mapped_column(String(100), index=True)
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    final_reply: Mapped[str] = mapped_column(Text)  # redacted
    outcome: Mapped[str] = mapped_column(String(32))
    csat: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reopened: Mapped[bool] = mapped_column(default=False)
    draft_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reported_by: Mapped[str] = mapped_column(String(200))


class DraftStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, draft_id: str) -> Draft | None:
        return self.session.get(Draft, draft_id)

    def latest_for_ticket(self, ticket_ref: str) -> Draft | None:
        return self.session.scalar(
            select(Draft).where(Draft.ticket_ref == ticket_ref).order_by(Draft.created_at.desc())
        )

    def latest_for_tickets(self, ticket_refs: Sequence[str]) -> dict[str, Draft]:
        """Each ticket's newest draft (tickets without one are left out)."""
        latest: dict[str, Draft] = {}
        if not ticket_refs:
            return latest
        query = (
            select(Draft)
            .where(Draft.ticket_ref.in_(list(ticket_refs)))
            .order_by(Draft.created_at.desc(), Draft.id.desc())
        )
        for draft in self.session.scalars(query):
            latest.setdefault(draft.ticket_ref, draft)
        return latest

    def resolutions(self, limit: int = 500) -> list[TicketResolution]:
        return list(
            self.session.scalars(
                select(TicketResolution).order_by(TicketResolution.id.desc()).limit(limit)
            )
        )
