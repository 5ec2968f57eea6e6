"""The refresh scan: resolved tickets → gap signals → evidence for open proposals, new
proposals from recurring uncovered questions, and stale-document flags.

Incremental and idempotent: each resolution is scanned once (``ScannedResolution``); a gap
ticket like an open proposal's joins its evidence instead of spawning a duplicate; the
clustering only runs when there are new gap tickets, and only groups holding one of them are
checked against the knowledge base (a search per ticket), so a re-run with nothing new costs a
query. The scanner serialises itself within a process; across processes the member rows are
locked when a proposal is created, so a ticket never becomes evidence of two.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import select

from kb.audit import AuditLog
from kb.database import Database, utcnow
from kb.documents import DocumentStore
from review.authoring import draft_amendment, draft_article
from review.clusters import (
    CLUSTER_SIMILARITY,
    MIN_CLUSTER,
    CoverageCheck,
    KnowledgeTerms,
    TicketTerms,
    Verdict,
    centroid,
    classify,
    distinctive,
    embed,
    group,
)
from review.evidence import attach
from review.gaps import KNOWLEDGE_LANGUAGE, GapDetector, unscanned
from review.interfaces import Encoder, Searcher, TextRedactor, redact
from review.proposals import AMENDMENT, OPEN_STATES, RefreshProposal
from review.replies import slugify
from review.scans import ScannedResolution
from review.signals import SIGNAL_LABELS
from review.stale import flag_stale

log = logging.getLogger(__name__)
POOL_LIMIT = 2000  # newest scanned tickets clustering and term weights look at
Progress = Callable[[int, int], object]  # (done, total)


@dataclass
class ScanReport:
    """What one scan did; ``to_json`` is ``tandem refresh scan --json``."""

    scanned: int = 0
    gaps: int = 0
    joined: int = 0
    groups_checked: int = 0
    covered: int = 0
    created: Counter[str] = field(default_factory=Counter)
    proposal_ids: list[int] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "scanned": self.scanned,
            "gaps": self.gaps,
            "joined": self.joined,
            "groups_checked": self.groups_checked,
            "covered": self.covered,
            "created": {kind: self.created.get(kind, 0) for kind in ("new", "amendment", "stale")},
            "proposal_ids": self.proposal_ids,
            "seconds": round(self.seconds, 3),
        }

    def summary(self) -> str:
        """One paragraph a person reads after a scan (the CLI, the demo and the queue page)."""
        made = ", ".join(f"{n} {kind}" for kind, n in self.to_json()["created"].items() if n)
        return (
            f"{self.scanned} resolved tickets scanned, {self.gaps} with gap signals; "
            f"{self.joined} added to open proposals; {self.groups_checked} recurring groups "
            f"checked, {self.covered} already covered; proposals created: {made or 'none'} "
            f"({self.seconds:.1f} s)."
        )


class RefreshScanner:
    """Runs scans; one per app, dependencies passed in."""

    def __init__(
        self,
        database: Database,
        *,
        redactor: TextRedactor,
        encoder: Encoder,
        search: Searcher,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.database = database
        self.redactor = redactor
        self.encoder = encoder
        self.gaps = GapDetector(database, redactor)
        self.coverage = CoverageCheck(search)
        self.today = today
        self._lock = threading.Lock()

    def scan(
        self, *, actor: str, ticket_ref: str | None = None, progress: Progress | None = None
    ) -> ScanReport:
        """Scan what has not been scanned (only ``ticket_ref``'s resolutions, if given)."""
        started = time.perf_counter()
        report = ScanReport()
        with self._lock:
            with self.database.sessions() as session:
                ids = unscanned(session, ticket_ref=ticket_ref)
            written: list[int] = []
            for start in range(0, len(ids), 64):
                written += self.gaps.examine(ids[start : start + 64])
                if progress:
                    progress(min(start + 64, len(ids)), len(ids))
            report.scanned = len(written)
            fresh = self._fresh_gaps(written)
            report.gaps = len(fresh)
            if fresh:
                pooled = self._join(fresh, actor, report)
                if pooled:
                    self._cluster(set(pooled), actor, report)
            with self.database.transaction() as session:
                for proposal in flag_stale(session, today=self.today(), actor=actor):
                    self._audit_created(session, proposal, actor)
                    report.created[proposal.kind] += 1
                    report.proposal_ids.append(proposal.id)
        report.seconds = time.perf_counter() - started
        log.info("refresh scan: %s", report.to_json())
        return report

    def _fresh_gaps(self, written: Sequence[int]) -> list[int]:
        if not written:
            return []
        with self.database.sessions() as session:
            return list(
                session.scalars(
                    select(ScannedResolution.id).where(
                        ScannedResolution.id.in_(written),
                        ScannedResolution.is_gap.is_(True),
                        ScannedResolution.language == KNOWLEDGE_LANGUAGE,
                    )
                )
            )

    # --- joining open proposals -------------------------------------------------------------

    def _join(self, fresh: list[int], actor: str, report: ScanReport) -> list[int]:
        """Add fresh gap tickets to the open proposal they resemble; returns the others."""
        with self.database.sessions() as session:
            rows = list(
                session.scalars(select(ScannedResolution).where(ScannedResolution.id.in_(fresh)))
            )
            members = list(
                session.scalars(
                    select(ScannedResolution)
                    .join(RefreshProposal, RefreshProposal.id == ScannedResolution.proposal_id)
                    .where(RefreshProposal.state.in_(OPEN_STATES))
                )
            )
        if not members:
            return fresh
        by_proposal: dict[int, list[int]] = {}
        for index, member in enumerate(members):
            by_proposal.setdefault(int(member.proposal_id or 0), []).append(index)
        vectors = embed(self.encoder, members)
        ids = list(by_proposal)
        centres = np.stack([centroid(vectors[by_proposal[p]]) for p in ids])
        scores = embed(self.encoder, rows) @ centres.T
        left: list[int] = []
        for row, row_scores in zip(rows, scores, strict=True):
            best = int(np.argmax(row_scores))
            if float(row_scores[best]) < CLUSTER_SIMILARITY or not self._add(
                ids[best], row.id, actor
            ):
                left.append(row.id)
                continue
            report.joined += 1
        return left

    def _add(self, proposal_id: int, row_id: int, actor: str) -> bool:
        with self.database.transaction() as session:
            proposal = session.get(RefreshProposal, proposal_id)
            row = session.get(ScannedResolution, row_id, with_for_update=True)
            if proposal is None or row is None or not proposal.is_open or row.proposal_id:
                return False
            row.proposal_id = proposal.id
            # Evidence is not what the reviewer approves, so lock_version stays: a reviewer
            # mid-edit is not sent back by a new ticket arriving.
            attach(proposal, [row])
            proposal.updated_at = utcnow()
            AuditLog(session).append(
                actor=actor,
                action="proposal.evidence",
                subject=f"proposal:{proposal.id}",
                data={"ticket": row.ticket_ref, "signals": row.signal_list},
            )
            return True

    # --- new groups -------------------------------------------------------------------------

    def _cluster(self, fresh: set[int], actor: str, report: ScanReport) -> None:
        with self.database.sessions() as session:
            recent = list(
                session.scalars(
                    select(ScannedResolution)
                    .where(ScannedResolution.language == KNOWLEDGE_LANGUAGE)
                    .order_by(ScannedResolution.id.desc())
                    .limit(POOL_LIMIT)
                )
            )
        recent.reverse()
        pool = [r for r in recent if r.is_gap and r.proposal_id is None]
        tickets = TicketTerms.of([r.text for r in recent])
        knowledge: KnowledgeTerms | None = None
        for indexes in group(embed(self.encoder, pool)):
            members = [pool[i] for i in indexes]
            if len(members) < MIN_CLUSTER or not fresh & {m.id for m in members}:
                continue
            report.groups_checked += 1
            knowledge = knowledge or KnowledgeTerms.load(self.database)
            terms = distinctive(members, tickets, knowledge)
            coverage = self.coverage.measure(members, terms, knowledge)
            verdict = classify(members, coverage)
            if verdict.kind is None:
                report.covered += 1
                continue
            proposal_id = self._propose(verdict, members, actor)
            if proposal_id is not None:
                report.created[verdict.kind] += 1
                report.proposal_ids.append(proposal_id)

    def _propose(
        self, verdict: Verdict, members: list[ScannedResolution], actor: str
    ) -> int | None:
        # Drafting embeds sentences: done before the write transaction takes its lock.
        with self.database.sessions() as session:
            store = DocumentStore(session)
            target = store.get(verdict.doc_id) if verdict.doc_id else None
            live = (
                store.version(target.doc_id, target.live_version)
                if target is not None and target.live_version is not None
                else None
            )
            if verdict.kind == AMENDMENT:
                if target is None or live is None:
                    return None
                title, doc_id, body = (
                    target.title,
                    target.doc_id,
                    draft_amendment(live.body, members, self.encoder),
                )
            else:
                article = draft_article(members, self.encoder)
                title, body = article.title, article.body
                doc_id = _free_slug(session, slugify(title))
        with self.database.transaction() as session:
            rows = list(
                session.scalars(
                    select(ScannedResolution)
                    .where(ScannedResolution.id.in_([m.id for m in members]))
                    .with_for_update()
                )
            )
            if any(row.proposal_id for row in rows):
                return None  # another scan took some of these tickets first
            proposal = RefreshProposal(
                kind=verdict.kind,
                title=redact(self.redactor, title).strip(),
                doc_id=doc_id,
                base_version=target.live_version if verdict.kind == AMENDMENT and target else None,
                body=redact(self.redactor, body),
                source=target.source if verdict.kind == AMENDMENT and target else "public",
                audience=target.audience if verdict.kind == AMENDMENT and target else "customer",
                product=target.product if target else "",
                rationale=_rationale(verdict, rows),
                created_by=actor,
                updated_by=actor,
            )
            session.add(proposal)
            session.flush()
            for row in rows:
                row.proposal_id = proposal.id
            attach(proposal, rows)
            self._audit_created(session, proposal, actor)
            return proposal.id

    def _audit_created(self, session: Any, proposal: RefreshProposal, actor: str) -> None:
        session.flush()
        AuditLog(session).append(
            actor=actor,
            action="proposal.create",
            subject=f"proposal:{proposal.id}",
            data={
                "kind": proposal.kind,
                "doc_id": proposal.doc_id,
                "tickets": [e.ticket_ref for e in proposal.evidence],
                "priority": proposal.priority,
            },
        )


def _free_slug(session: Any, slug: str) -> str:
    """``slug``, or ``slug-2``…, not yet used by a document or another proposal."""
    candidate, n = slug, 1
    while (
        DocumentStore(session).get(candidate) is not None
        or session.scalar(select(RefreshProposal.id).where(RefreshProposal.doc_id == candidate))
        is not None
    ):
        n += 1
        candidate = f"{slug}-{n}"
    return candidate


def _rationale(verdict: Verdict, rows: Sequence[ScannedResolution]) -> str:
    signals: Counter[str] = Counter()
    for row in rows:
        signals.update(set(row.signal_list))
    said = ", ".join(f"{SIGNAL_LABELS.get(s, s).lower()} ×{n}" for s, n in signals.most_common())
    coverage = verdict.coverage
    if verdict.kind == AMENDMENT:
        lead = (
            f"{len(rows)} resolved tickets were answered from {verdict.doc_id}, and the agents "
            "rewrote most of the draft before sending it."
        )
    elif coverage.doc_id is None:
        lead = f"{len(rows)} resolved tickets asked about this and search found no article."
    else:
        missing = ", ".join(coverage.missing[:4])
        lead = (
            f"{len(rows)} resolved tickets asked about this and no article answers it: the "
            f"closest, {coverage.doc_id}, holds {coverage.share:.0%} of what sets these tickets "
            f"apart (missing: {missing})."
        )
    return f"{lead} Signals: {said}." if said else lead
