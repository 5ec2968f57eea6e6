"""Publishing an approved proposal: a new document version, re-indexed on its own.

The article goes through the ingestion pipeline's ``publish`` (approval gate and redaction
again), which writes a new version and replaces only that document's chunks; search reads live
versions only, so drafts cite the new text at once. Then the proposal is ``published``.

Where the reviewed text lives, so that re-ingesting a source folder does not undo it:

- A **new article** is written as Markdown with front matter to
  ``<data_dir>/knowledge/reviewed/<doc_id>.md``, and that folder is its origin: ``tandem ingest``
  of the folder finds it unchanged, ``tandem index rebuild`` rebuilds it from SQL like any other.
  An amendment to such an article rewrites its file.
- An **amendment to an article from elsewhere** (a docs folder, a help-centre export) keeps the
  article's origin, and the document keeps the content hash of the source it was reviewed
  against: re-ingesting that unchanged source is then "unchanged" and leaves the reviewed
  version live. When the source itself changes, its owner's new text replaces the reviewed one
  (it is reported as changed), as it should: the source is where that article is maintained.
  Tandem never writes into a source folder it does not own.

If the index or the redactor is unavailable, or another ingestion holds the pipeline, the
proposal stays ``approved`` with ``publish_error`` set and can be published again. Publishing
claims the proposal first (a conditional UPDATE of ``lock_version``), so two attempts at once
publish it once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

import yaml
from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from ingest.raw import RawDocument
from ingest.readers.markdown import read as read_markdown
from ingest.readers.source import SourceFile
from kb.audit import AuditLog
from kb.database import Database, utcnow
from kb.documents import Document, DocumentStore
from kb.errors import Conflict, IndexUnavailable, InvalidInput, NotFound, RedactorUnavailable
from review.interfaces import InvalidTransition, Publisher, StaleProposal
from review.proposals import APPROVED, NEW, PUBLISHED, STALE, RefreshProposal
from review.stale import verify

log = logging.getLogger(__name__)
# Failures that leave the proposal approved, to publish again later.
RETRYABLE = (IndexUnavailable, RedactorUnavailable, Conflict, InvalidInput)


@dataclass(frozen=True)
class _Approved:
    """What publishing needs of a proposal, read when it was claimed."""

    id: int
    kind: str
    doc_id: str
    title: str
    body: str
    source: str
    audience: str
    product: str
    approved_by: str
    base_version: int | None


class ProposalPublisher:
    """Publishes approved proposals; one per app, dependencies passed in."""

    def __init__(
        self,
        database: Database,
        pipeline: Publisher,
        *,
        knowledge_dir: Path,
        interval_days: int,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.database = database
        self.pipeline = pipeline
        self.knowledge_dir = knowledge_dir
        self.interval_days = interval_days
        self.today = today

    @property
    def origin(self) -> str:
        return str(self.knowledge_dir.resolve())

    def publish(self, proposal_id: int, *, actor: str) -> RefreshProposal:
        """Publish an approved proposal; returns it published, or approved with the error."""
        approved = self._claim(proposal_id)
        review_by = self.today() + timedelta(days=self.interval_days)
        with self.database.sessions() as session:
            document = DocumentStore(session).get(approved.doc_id)
            live = _live_body(session, document)
            pinned = document.content_hash if document is not None else ""
            origin = document.origin if document is not None else ""
        note = f"Refresh proposal {approved.id}, approved by {approved.approved_by}."
        if approved.kind == STALE and live is not None and live == approved.body:
            return self._verified(approved, actor, review_by)
        # Re-ingesting the unchanged source must not undo the review (module docstring); the
        # pipeline records the kept hash with the new version, so a crash cannot lose it.
        keep_hash = pinned if document is not None and origin != self.origin else ""
        try:
            raw = self._raw(approved, document, review_by)
            self.pipeline.publish(
                raw,
                actor=approved.approved_by or actor,
                note=note,
                origin=self._origin(origin),
                source_hash=keep_hash,
            )
        except RETRYABLE as exc:
            log.warning("proposal %s not published: %s", approved.id, exc)
            return self._failed(approved.id, actor, str(exc))
        return self._published(approved.id, actor)

    # --- steps ------------------------------------------------------------------------------

    def _claim(self, proposal_id: int) -> _Approved:
        with self.database.transaction() as session:
            proposal = session.get(RefreshProposal, proposal_id)
            if proposal is None:
                raise NotFound(f"No proposal {proposal_id}.")
            if proposal.state != APPROVED:
                raise InvalidTransition(
                    f"Cannot publish a proposal that is {proposal.state} (only when approved)."
                )
            current = proposal.lock_version
            matched = cast(
                CursorResult[Any],
                session.execute(
                    update(RefreshProposal)
                    .where(
                        RefreshProposal.id == proposal_id,
                        RefreshProposal.lock_version == current,
                        RefreshProposal.state == APPROVED,
                    )
                    .values(lock_version=current + 1)
                    .execution_options(synchronize_session=False)
                ),
            ).rowcount
            if matched != 1:
                raise StaleProposal(proposal_id, current, current + 1)
            return _Approved(
                proposal.id,
                proposal.kind,
                proposal.doc_id,
                proposal.title,
                proposal.body,
                proposal.source,
                proposal.audience,
                proposal.product,
                proposal.approved_by,
                proposal.base_version,
            )

    def _origin(self, current: str) -> str | None:
        return self.origin if not current or current == self.origin else None

    def _raw(self, approved: _Approved, document: Document | None, review_by: date) -> RawDocument:
        owned = document is None or document.origin == self.origin
        if owned:
            return self._write_file(approved, document, review_by)
        assert document is not None
        return RawDocument(
            doc_id=document.doc_id,
            title=approved.title,
            body=approved.body,
            path=document.path,
            format=document.format,
            source=approved.source or document.source,
            approved=True,
            audience=document.audience,
            product=document.product,
            owner=document.owner or approved.approved_by,
            review_by=review_by,
            language=document.language,
            url=document.url,
        )

    def _write_file(
        self, approved: _Approved, document: Document | None, review_by: date
    ) -> RawDocument:
        """Write the article into Tandem's reviewed folder and read it back as ingest would."""
        front = {
            "id": approved.doc_id,
            "title": approved.title,
            "source": approved.source,
            "approved": True,
            "audience": approved.audience,
            "product": approved.product or None,
            "owner": (document.owner if document is not None else "") or approved.approved_by,
            "review_by": review_by,
            "language": document.language if document is not None else "en",
        }
        text = (
            "---\n"
            + yaml.safe_dump(
                {k: v for k, v in front.items() if v not in (None, "")},
                sort_keys=False,
                allow_unicode=True,
            )
            + "---\n\n"
            + approved.body.strip()
            + "\n"
        )
        self.knowledge_dir.mkdir(parents=True, exist_ok=True)
        name = f"{approved.doc_id}.md"
        (self.knowledge_dir / name).write_text(text, encoding="utf-8")
        [raw] = list(read_markdown(SourceFile(name, text)))
        assert isinstance(raw, RawDocument)
        return raw

    def _verified(self, approved: _Approved, actor: str, review_by: date) -> RefreshProposal:
        """A stale flag approved without changes: the article is verified, not re-published."""
        with self.database.transaction() as session:
            document = verify(
                session, approved.doc_id, actor=approved.approved_by or actor, review_by=review_by
            )
            return self._mark(session, approved.id, actor, document.live_version, None)

    def _failed(self, proposal_id: int, actor: str, error: str) -> RefreshProposal:
        with self.database.transaction() as session:
            proposal = session.get(RefreshProposal, proposal_id)
            assert proposal is not None
            proposal.publish_error = error[:2000]
            proposal.updated_at = utcnow()
            AuditLog(session).append(
                actor=actor,
                action="proposal.publish_failed",
                subject=f"proposal:{proposal_id}",
                data={"error": error[:500]},
            )
            return proposal

    def _published(self, proposal_id: int, actor: str) -> RefreshProposal:
        with self.database.transaction() as session:
            proposal = session.get(RefreshProposal, proposal_id)
            assert proposal is not None
            document = DocumentStore(session).get(proposal.doc_id)
            if document is None:
                raise NotFound("The published document disappeared.")
            return self._mark(session, proposal_id, actor, document.live_version, document)

    def _mark(
        self,
        session: Session,
        proposal_id: int,
        actor: str,
        version: int | None,
        document: Document | None,
    ) -> RefreshProposal:
        proposal = session.get(RefreshProposal, proposal_id)
        assert proposal is not None
        proposal.state = PUBLISHED
        proposal.published_version = version
        proposal.published_at = utcnow()
        proposal.publish_error = ""
        proposal.updated_at = utcnow()
        proposal.updated_by = actor
        AuditLog(session).append(
            actor=actor,
            action="proposal.publish",
            subject=f"proposal:{proposal_id}",
            data={
                "doc_id": proposal.doc_id,
                "version": version,
                "kind": proposal.kind,
                "new_document": proposal.kind == NEW,
                "reindexed": document is not None,
            },
        )
        return proposal


def _live_body(session: Session, document: Document | None) -> str | None:
    if document is None or document.live_version is None:
        return None
    version = DocumentStore(session).version(document.doc_id, document.live_version)
    return version.body if version else None
