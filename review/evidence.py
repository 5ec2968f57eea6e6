"""Evidence rows from scanned tickets, and what a proposal's evidence adds up to."""

from __future__ import annotations

import json
from collections import Counter

from kb.database import utcnow
from review.priority import score_tickets
from review.proposals import STALE, ProposalEvidence, RefreshProposal
from review.replies import excerpt
from review.scans import ScannedResolution


def evidence_from(row: ScannedResolution) -> ProposalEvidence:
    """A proposal's evidence row for a scanned ticket (its text is already redacted)."""
    return ProposalEvidence(
        ticket_ref=row.ticket_ref,
        subject=row.subject,
        excerpt=excerpt(row.reply),
        signals=row.signals,
        tier=row.tier,
        resolved_at=row.resolved_at,
        draft_id=row.draft_id,
        cited_doc_ids=row.cited_doc_ids,
        edit_ratio=row.edit_ratio,
        added_at=utcnow(),
    )


def attach(proposal: RefreshProposal, rows: list[ScannedResolution]) -> int:
    """Add the tickets not yet among the proposal's evidence; returns how many were added."""
    known = {e.ticket_ref for e in proposal.evidence}
    added = 0
    for row in rows:
        if row.ticket_ref in known:
            continue
        proposal.evidence.append(evidence_from(row))
        known.add(row.ticket_ref)
        added += 1
    if proposal.kind != STALE:
        tally(proposal)
    return added


def tally(proposal: RefreshProposal) -> None:
    """Evidence count, signal counts and priority, from the evidence rows."""
    signals: Counter[str] = Counter()
    for item in proposal.evidence:
        signals.update(set(item.signal_list))
    proposal.evidence_count = len(proposal.evidence)
    proposal.signals = json.dumps(dict(sorted(signals.items())))
    proposal.priority, proposal.priority_label = score_tickets(
        (item.tier, item.signal_list) for item in proposal.evidence
    )
