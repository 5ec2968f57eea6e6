"""Refresh proposals and their evidence: what the knowledge manager's queue holds.

A proposal's life: ``proposed`` → ``in_review`` → ``approved`` or ``rejected`` (with a reason)
→ ``published`` (a new document version is live). ``lock_version`` grows by one with every
change a person makes, so two reviewers working from the same page cannot overwrite each other
(``review.workflow``). Every text here is redacted before it is stored.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.database import Base, UTCDateTime, utcnow

NEW, AMENDMENT, STALE = "new", "amendment", "stale"
KINDS = (NEW, AMENDMENT, STALE)
PROPOSED, IN_REVIEW, APPROVED, REJECTED, PUBLISHED = (
    "proposed",
    "in_review",
    "approved",
    "rejected",
    "published",
)
STATES = (PROPOSED, IN_REVIEW, APPROVED, REJECTED, PUBLISHED)
OPEN_STATES = (PROPOSED, IN_REVIEW)
PRIORITY_LABELS = ("low", "normal", "high", "urgent")


class RefreshProposal(Base):
    """A proposed new article, amendment or stale-document flag, and its review."""

    __tablename__ = "refresh_proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    state: Mapped[str] = mapped_column(String(16), default=PROPOSED, index=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    doc_id: Mapped[str] = mapped_column(String(200), index=True)
    base_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown, redacted, no front matter
    source: Mapped[str] = mapped_column(String(16), default="public")
    audience: Mapped[str] = mapped_column(String(32), default="customer")
    product: Mapped[str] = mapped_column(String(64), default="")
    rationale: Mapped[str] = mapped_column(Text, default="")
    signals: Mapped[str] = mapped_column(Text, default="{}")  # JSON: signal → ticket count
    # What raised a stale flag (live version and review date), so a re-scan does not raise it
    # again; empty for the other kinds.
    trigger_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    priority: Mapped[float] = mapped_column(Float, default=0.0)
    priority_label: Mapped[str] = mapped_column(String(16), default="low")
    evidence_count: Mapped[int] = mapped_column(Integer, default=0)
    assignee: Mapped[str] = mapped_column(String(200), default="", index=True)
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    approved_by: Mapped[str] = mapped_column(String(200), default="")
    published_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    publish_error: Mapped[str] = mapped_column(Text, default="")

    evidence: Mapped[list[ProposalEvidence]] = relationship(
        back_populates="proposal",
        order_by="ProposalEvidence.resolved_at",
        cascade="all, delete-orphan",
    )

    @property
    def signal_counts(self) -> dict[str, int]:
        loaded: dict[str, int] = json.loads(self.signals or "{}")
        return loaded

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class ProposalEvidence(Base):
    """A resolved ticket that supports a proposal, as far as it may be shown (redacted)."""

    __tablename__ = "refresh_evidence"
    __table_args__ = (UniqueConstraint("proposal_id", "ticket_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("refresh_proposals.id", ondelete="CASCADE"), index=True
    )
    ticket_ref: Mapped[str] = mapped_column(String(100), index=True)
    subject: Mapped[str] = mapped_column(String(1000), default="")  # redacted
    excerpt: Mapped[str] = mapped_column(Text, default="")  # redacted final reply, trimmed
    signals: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of signal names
    tier: Mapped[str] = mapped_column(String(32), default="standard")
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    draft_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    cited_doc_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    edit_ratio: Mapped[float | None] = mapped_column(Float, nullable=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[RefreshProposal] = relationship(back_populates="evidence")

    @property
    def signal_list(self) -> list[str]:
        loaded: list[str] = json.loads(self.signals or "[]")
        return loaded

    @property
    def cited(self) -> list[str]:
        loaded: list[str] = json.loads(self.cited_doc_ids or "[]")
        return loaded
