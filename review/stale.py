"""Stale documents: review date passed, or cited by tickets that came back or went to a person.

Owners and review-by dates come from each article's front matter (stored on ``Document``);
``verify`` records that someone checked an article and sets its next review date.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.audit import AuditLog
from kb.database import utcnow
from kb.documents import ACTIVE, Document, DocumentStore
from kb.errors import InvalidInput, NotFound
from review.evidence import evidence_from
from review.priority import score_stale
from review.proposals import STALE, RefreshProposal
from review.scans import ScannedResolution
from review.signals import (
    CITED_BY_ESCALATED,
    CITED_BY_REOPENED,
    ESCALATED_DRAFT,
    REOPENED,
    REVIEW_OVERDUE,
)

DEFAULT_INTERVAL_DAYS = 90
# Reopened or escalated tickets citing one article before it is flagged: one such ticket is
# often the customer's situation, two citing the same page point at the page.
STALE_CITING_TICKETS = 2


@dataclass(frozen=True)
class StaleDocument:
    """An active document with what makes it stale (``reasons`` empty: it is not)."""

    document: Document
    days_overdue: int | None  # > 0 overdue, <= 0 due later, None without a review date
    reasons: list[str] = field(default_factory=list)
    citing_tickets: list[str] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.days_overdue is not None and self.days_overdue > 0

    @property
    def is_stale(self) -> bool:
        return bool(self.reasons)


def citing_tickets(session: Session) -> dict[str, dict[str, list[ScannedResolution]]]:
    """doc_id → signal (reopened/escalated) → the scanned tickets whose draft cited it."""
    found: dict[str, dict[str, list[ScannedResolution]]] = defaultdict(lambda: defaultdict(list))
    rows = session.scalars(
        select(ScannedResolution).where(
            ScannedResolution.is_gap.is_(True), ScannedResolution.cited_doc_ids != "[]"
        )
    )
    for row in rows:
        signals = set(row.signal_list) & {REOPENED, ESCALATED_DRAFT}
        for doc_id in row.cited:
            for signal in signals:
                found[doc_id][signal].append(row)
    return found


def stale_documents(
    session: Session, *, today: date, owner: str | None = None, overdue_only: bool = False
) -> list[StaleDocument]:
    """Active documents, most overdue first (those without a review date last)."""
    query = select(Document).where(Document.state == ACTIVE)
    if owner is not None:
        query = query.where(Document.owner == owner)
    if overdue_only:
        query = query.where(Document.review_by < today)
    cited = citing_tickets(session)
    rows = []
    for document in session.scalars(query):
        days = (today - document.review_by).days if document.review_by else None
        reasons = [REVIEW_OVERDUE] if days is not None and days > 0 else []
        by_signal = cited.get(document.doc_id, {})
        tickets = sorted({r.ticket_ref for rs in by_signal.values() for r in rs})
        if len(tickets) >= STALE_CITING_TICKETS:
            reasons += [
                name
                for name, signal in (
                    (CITED_BY_REOPENED, REOPENED),
                    (CITED_BY_ESCALATED, ESCALATED_DRAFT),
                )
                if by_signal.get(signal)
            ]
        rows.append(StaleDocument(document, days, reasons, tickets))
    rows.sort(key=lambda r: (r.days_overdue is None, -(r.days_overdue or 0), r.document.doc_id))
    return rows


def verify(
    session: Session,
    doc_id: str,
    *,
    actor: str,
    review_by: date | None = None,
    today: date | None = None,
    interval_days: int = DEFAULT_INTERVAL_DAYS,
) -> Document:
    """Record that ``actor`` checked the article: its next review date, audited."""
    today = today or date.today()
    document = DocumentStore(session).get(doc_id)
    if document is None:
        raise NotFound(f"No document {doc_id}.")
    next_review = review_by or today + timedelta(days=interval_days)
    if next_review < today:
        raise InvalidInput(
            "The next review date cannot be in the past.",
            {"review_by": [f"Choose {today.isoformat()} or later."]},
        )
    previous = document.review_by
    document.review_by = next_review
    document.updated_at = utcnow()
    AuditLog(session).append(
        actor=actor,
        action="document.verify",
        subject=f"document:{doc_id}",
        data={"review_by": next_review.isoformat(), "previous": str(previous or "")},
    )
    return document


def flag_stale(session: Session, *, today: date, actor: str) -> list[RefreshProposal]:
    """A ``stale`` proposal for each stale document not flagged for the same reason before."""
    created = []
    store = DocumentStore(session)
    for stale in stale_documents(session, today=today):
        document = stale.document
        if not stale.is_stale or document.live_version is None:
            continue
        key = _trigger(stale)
        exists = session.scalar(
            select(RefreshProposal.id).where(
                RefreshProposal.kind == STALE, RefreshProposal.trigger_key == key
            )
        )
        if exists is not None:
            continue
        version = store.version(document.doc_id, document.live_version)
        proposal = RefreshProposal(
            kind=STALE,
            title=document.title,
            doc_id=document.doc_id,
            base_version=document.live_version,
            body=version.body if version else "",
            source=document.source,
            audience=document.audience,
            product=document.product,
            rationale=_rationale(stale, today),
            trigger_key=key,
            created_by=actor,
            updated_by=actor,
        )
        citing = [
            row
            for rows in citing_tickets(session).get(document.doc_id, {}).values()
            for row in rows
        ]
        for row in {r.ticket_ref: r for r in citing}.values():
            proposal.evidence.append(evidence_from(row))
        proposal.evidence_count = len(proposal.evidence)
        proposal.signals = json.dumps(dict.fromkeys(stale.reasons, 1))
        proposal.priority, proposal.priority_label = score_stale(
            stale.days_overdue, ((e.tier, e.signal_list) for e in proposal.evidence)
        )
        session.add(proposal)
        created.append(proposal)
    session.flush()
    return created


def _trigger(stale: StaleDocument) -> str:
    document = stale.document
    why = "overdue" if stale.overdue else "cited"
    return f"stale:{document.doc_id}:v{document.live_version}:{document.review_by}:{why}"


def _rationale(stale: StaleDocument, today: date) -> str:
    document = stale.document
    parts = []
    if stale.overdue and document.review_by is not None:
        parts.append(
            f"Its review date {document.review_by.isoformat()} passed {stale.days_overdue} "
            f"days ago (owner: {document.owner or 'none'})."
        )
    if len(stale.citing_tickets) >= STALE_CITING_TICKETS:
        parts.append(
            f"Drafts for {len(stale.citing_tickets)} reopened or escalated tickets cited it: "
            f"{', '.join(stale.citing_tickets[:5])}."
        )
    parts.append(f"Check it is still right as of {today.isoformat()}; approve to verify it.")
    return " ".join(parts)
