"""``RefreshService``: the knowledge-refresh domain as the web app and the CLI use it.

One instance per app (``webapp.context.Tandem.refresh``), its dependencies passed in: the
database, the shared redactor, the dense encoder, hybrid search and the ingestion pipeline.
Reading the queue needs none of them: see ``review.queue``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from kb.database import Database
from kb.documents import Document
from review.interfaces import Encoder, Publisher, Searcher, StaleProposal, TextRedactor
from review.proposals import RefreshProposal
from review.publishing import ProposalPublisher
from review.queue import get_proposal
from review.scanning import Progress, RefreshScanner, ScanReport
from review.stale import DEFAULT_INTERVAL_DAYS, verify
from review.workflow import APPROVE, PUBLISH, Request, Workflow, check_role


class RefreshService:
    """Scans resolved tickets into proposals, moves proposals through review, publishes them."""

    def __init__(
        self,
        database: Database,
        *,
        redactor: TextRedactor,
        encoder: Encoder,
        search: Searcher,
        pipeline: Publisher,
        knowledge_dir: Path,
        interval_days: int = DEFAULT_INTERVAL_DAYS,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.database = database
        self.interval_days = interval_days
        self.today = today
        self.scanner = RefreshScanner(
            database, redactor=redactor, encoder=encoder, search=search, today=today
        )
        self.workflow = Workflow(database, redactor)
        self.publisher = ProposalPublisher(
            database,
            pipeline,
            knowledge_dir=knowledge_dir,
            interval_days=interval_days,
            today=today,
        )

    # --- review -----------------------------------------------------------------------------

    def transition(
        self,
        proposal_id: int,
        action: str,
        *,
        expected_version: int,
        actor: str,
        actor_role: str | None = None,
        reason: str | None = None,
        title: str | None = None,
        body: str | None = None,
        assignee: str | None = None,
    ) -> RefreshProposal:
        """Apply one review action (see ``review.workflow.ALLOWED_FROM``); approving publishes
        at once. Raises NotFound, StaleProposal (409), InvalidTransition / InvalidInput (422),
        PermissionDenied."""
        check_role(actor_role)
        if action == PUBLISH:
            return self._publish_again(proposal_id, expected_version, actor)
        proposal = self.workflow.apply(
            Request(
                proposal_id=proposal_id,
                action=action,
                expected_version=expected_version,
                actor=actor,
                reason=reason or "",
                title=title,
                body=body,
                assignee=assignee,
            )
        )
        if action == APPROVE:
            return self.publisher.publish(proposal_id, actor=actor)
        return proposal

    def _publish_again(
        self, proposal_id: int, expected_version: int, actor: str
    ) -> RefreshProposal:
        with self.database.sessions() as session:
            current = get_proposal(session, proposal_id).lock_version
        if current != expected_version:
            raise StaleProposal(proposal_id, expected_version, current)
        return self.publisher.publish(proposal_id, actor=actor)

    # --- scanning ---------------------------------------------------------------------------

    def scan(self, *, actor: str, progress: Progress | None = None) -> ScanReport:
        """Scan every resolved ticket not scanned yet, and flag stale documents."""
        return self.scanner.scan(actor=actor, progress=progress)

    def scan_ticket(self, ticket_ref: str, *, actor: str) -> ScanReport:
        """Scan one ticket's new resolutions (called when the helpdesk reports it resolved)."""
        return self.scanner.scan(actor=actor, ticket_ref=ticket_ref)

    # --- stale documents --------------------------------------------------------------------

    def verify(self, doc_id: str, *, actor: str, review_by: date | None = None) -> Document:
        """Set the article's next review date (default: today + the review interval)."""
        with self.database.transaction() as session:
            return verify(
                session,
                doc_id,
                actor=actor,
                review_by=review_by,
                today=self.today(),
                interval_days=self.interval_days,
            )
