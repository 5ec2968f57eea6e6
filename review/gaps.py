"""Gap detection: each resolved ticket not yet scanned gets its signals and its redacted text.

Sources are ``TicketResolution`` rows (from ``POST /api/v1/tickets/{id}/resolved`` and from the
demo), joined to the draft they were answered from and to the stored ticket, when there is one,
for the question as asked and the customer's tier. Every text is redacted again here with the
ticket's own identity (name, e-mail, phone, company) as the deny-list: a final reply's
"Hi Patrick!" is not always caught without it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kb.database import Database
from kb.tickets import Ticket, TicketStore
from retrieval.drafts import Draft, TicketResolution
from retrieval.language import detect_language
from retrieval.tickets import identity_deny_list
from review.interfaces import DenyList, TextRedactor
from review.replies import clean_reply
from review.scans import ScannedResolution
from review.signals import ticket_signals

KNOWLEDGE_LANGUAGE = "en"  # the language the knowledge base is written in
BATCH = 64


@dataclass
class _Seen:
    """What one resolution says, read in one short transaction, before the slow redaction."""

    resolution_id: int
    ticket_ref: str
    resolved_at: datetime
    names: list[str]
    edit_ratio: float | None
    cited: list[str]
    draft_id: str | None
    tier: str
    deny: DenyList
    texts: list[str]  # subject, question, final reply (not yet redacted again)


def unscanned(session: Session, *, ticket_ref: str | None = None) -> list[int]:
    """Ids of resolutions the scan has not looked at yet, oldest first."""
    query = (
        select(TicketResolution.id)
        .outerjoin(ScannedResolution, ScannedResolution.resolution_id == TicketResolution.id)
        .where(ScannedResolution.id.is_(None))
        .order_by(TicketResolution.id)
    )
    if ticket_ref is not None:
        query = query.where(TicketResolution.ticket_ref == ticket_ref)
    return list(session.scalars(query))


class GapDetector:
    """Turns resolutions into ``ScannedResolution`` rows (signals + redacted text)."""

    def __init__(self, database: Database, redactor: TextRedactor) -> None:
        self.database = database
        self.redactor = redactor

    def examine(self, resolution_ids: Sequence[int]) -> list[int]:
        """Scan these resolutions; returns the ids of the rows written (skipping any another
        scan wrote meanwhile)."""
        written: list[int] = []
        for start in range(0, len(resolution_ids), BATCH):
            seen = self._read(resolution_ids[start : start + BATCH])
            rows = self._redacted(seen)
            written.extend(self._write(rows))
        return written

    def _read(self, ids: Sequence[int]) -> list[_Seen]:
        seen: list[_Seen] = []
        with self.database.sessions() as session:
            for resolution in session.scalars(
                select(TicketResolution).where(TicketResolution.id.in_(ids))
            ):
                draft = session.get(Draft, resolution.draft_id) if resolution.draft_id else None
                ticket = TicketStore(session).get(resolution.ticket_ref)
                signals = ticket_signals(resolution, draft)
                seen.append(
                    _Seen(
                        resolution_id=resolution.id,
                        ticket_ref=resolution.ticket_ref,
                        resolved_at=resolution.resolved_at,
                        names=signals.names,
                        edit_ratio=signals.edit_ratio,
                        cited=signals.cited,
                        draft_id=resolution.draft_id,
                        tier=_tier(ticket, draft),
                        deny=_identity(ticket),
                        texts=[
                            ticket.subject if ticket else "",
                            ticket.body if ticket else "",
                            resolution.final_reply,
                        ],
                    )
                )
        return sorted(seen, key=lambda s: s.resolution_id)

    def _redacted(self, seen: list[_Seen]) -> list[ScannedResolution]:
        texts = [text for s in seen for text in s.texts]
        deny = [s.deny for s in seen for _ in s.texts]
        redacted = [r.text for r in self.redactor.redact_many(texts, deny=deny)] if texts else []
        rows = []
        for number, s in enumerate(seen):
            subject, question, reply = redacted[number * 3 : number * 3 + 3]
            language = detect_language(question or reply, fallback=KNOWLEDGE_LANGUAGE).code
            rows.append(
                ScannedResolution(
                    resolution_id=s.resolution_id,
                    ticket_ref=s.ticket_ref,
                    signals=json.dumps(s.names),
                    is_gap=bool(s.names),
                    language=language,
                    subject=subject.strip()[:1000],
                    question=question.strip(),
                    reply=clean_reply(reply),
                    tier=s.tier,
                    resolved_at=s.resolved_at,
                    draft_id=s.draft_id,
                    cited_doc_ids=json.dumps(s.cited),
                    edit_ratio=s.edit_ratio,
                )
            )
        return rows

    def _write(self, rows: list[ScannedResolution]) -> list[int]:
        written: list[int] = []
        for row in rows:
            # One row per transaction: a concurrent scan (the API hook while `tandem refresh
            # scan` runs) may have written the same resolution; that one is then skipped.
            try:
                with self.database.transaction() as session:
                    exists = session.scalar(
                        select(ScannedResolution.id).where(
                            ScannedResolution.resolution_id == row.resolution_id
                        )
                    )
                    if exists is not None:
                        continue
                    session.add(row)
                    session.flush()
                    written.append(row.id)
            except IntegrityError:
                continue
        return written


def _tier(ticket: Ticket | None, draft: Draft | None) -> str:
    if ticket is not None and ticket.customer is not None and ticket.customer.tier:
        return ticket.customer.tier
    if draft is not None:
        tier = (draft.document.get("detection") or {}).get("tier")
        if tier:
            return str(tier)
    return "standard"


def _identity(ticket: Ticket | None) -> dict[str, list[str]]:
    """The ticket's customer as a deny-list: redacted wherever they appear in its text."""
    if ticket is None or ticket.customer is None:
        return {}
    customer = ticket.customer
    profile = json.loads(customer.profile or "{}")
    # The redactor also catches each part of a full name alone ("Hi Pia," for "Pia Ward").
    return identity_deny_list({**profile, "name": customer.name, "email": customer.email})
