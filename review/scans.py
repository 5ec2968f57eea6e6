"""What the refresh scan remembers of each resolved ticket it has looked at.

One row per ``TicketResolution``: its gap signals and its redacted text, so a re-scan skips it
(cheap and idempotent) and a later similar ticket can still form a cluster with it.
``proposal_id`` is the new-article or amendment proposal whose evidence it became.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kb.database import Base, UTCDateTime, utcnow


class ScannedResolution(Base):
    """A resolved ticket as gap detection saw it (all text redacted)."""

    __tablename__ = "refresh_scanned"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resolution_id: Mapped[int] = mapped_column(
        ForeignKey("ticket_resolutions.id", ondelete="CASCADE"), unique=True
    )
    ticket_ref: Mapped[str] = mapped_column(String(100), index=True)
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signals: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of signal names
    is_gap: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    language: Mapped[str] = mapped_column(String(16), default="en")
    subject: Mapped[str] = mapped_column(String(1000), default="")
    question: Mapped[str] = mapped_column(Text, default="")  # the ticket's body, when known
    reply: Mapped[str] = mapped_column(Text, default="")  # final reply, greeting/sign-off cut
    tier: Mapped[str] = mapped_column(String(32), default="standard")
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    draft_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    cited_doc_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    edit_ratio: Mapped[float | None] = mapped_column(Float, nullable=True)
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("refresh_proposals.id", ondelete="SET NULL"), nullable=True, index=True
    )

    @property
    def signal_list(self) -> list[str]:
        loaded: list[str] = json.loads(self.signals or "[]")
        return loaded

    @property
    def cited(self) -> list[str]:
        loaded: list[str] = json.loads(self.cited_doc_ids or "[]")
        return loaded

    @property
    def text(self) -> str:
        """What clustering compares: the question as asked and the answer that solved it."""
        return "\n".join(part for part in (self.subject, self.question, self.reply) if part)
