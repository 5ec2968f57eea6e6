"""Gap detection and clustering over resolved tickets, on the demo knowledge base."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from kb.audit import AuditLog
from retrieval.drafts import Draft
from review.proposals import NEW, STALE, ProposalEvidence, RefreshProposal
from review.queue import live_body, proposal_diff
from review.scans import ScannedResolution
from tests.review.conftest import QR_TICKETS, Refresh, Resolve


def _proposals(refresh: Refresh, kind: str | None = None) -> list[RefreshProposal]:
    with refresh.database.sessions() as session:
        query = select(RefreshProposal).order_by(RefreshProposal.id)
        if kind is not None:
            query = query.where(RefreshProposal.kind == kind)
        found = list(session.scalars(query))
        for proposal in found:
            _ = proposal.evidence  # loaded while the session is open
        return found


def test_recurring_questions_no_article_answers_become_one_new_article_proposal(
    refresh: Refresh, resolve: Resolve
) -> None:
    for ticket_id in QR_TICKETS[:4]:
        resolve(ticket_id)

    report = refresh.service.scan(actor="test")

    [proposal] = _proposals(refresh, NEW)
    assert report.created["new"] == 1
    assert sorted(e.ticket_ref for e in proposal.evidence) == sorted(QR_TICKETS[:4])
    assert proposal.state == "proposed"
    assert proposal.lock_version == 1
    assert "QR code" in proposal.body
    assert "## Steps" in proposal.body
    assert proposal.body.startswith("# ")
    assert proposal.signal_counts == {"no_draft": 4}
    assert "no article answers it" in proposal.rationale
    assert proposal.priority > 0
    assert proposal.priority_label in ("low", "normal", "high")


def test_a_second_scan_finds_nothing_new_and_creates_no_duplicate(
    refresh: Refresh, resolve: Resolve
) -> None:
    for ticket_id in QR_TICKETS[:3]:
        resolve(ticket_id)
    refresh.service.scan(actor="test")

    again = refresh.service.scan(actor="test")

    assert again.scanned == 0
    assert not again.created
    assert len(_proposals(refresh, NEW)) == 1
    with refresh.database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ScannedResolution)) == 3


def test_a_later_similar_ticket_joins_the_open_proposal_instead_of_spawning_another(
    refresh: Refresh, resolve: Resolve
) -> None:
    for ticket_id in QR_TICKETS[:3]:
        resolve(ticket_id)
    refresh.service.scan(actor="test")

    resolve(QR_TICKETS[5])
    report = refresh.service.scan_ticket(QR_TICKETS[5], actor="token:helpdesk")

    assert report.joined == 1
    assert not report.created
    [proposal] = _proposals(refresh, NEW)
    assert QR_TICKETS[5] in {e.ticket_ref for e in proposal.evidence}
    assert proposal.evidence_count == 4
    assert proposal.lock_version == 1  # new evidence does not invalidate a reviewer's page
    with refresh.database.sessions() as session:
        actions = [e.action for e in AuditLog(session).entries(subject=f"proposal:{proposal.id}")]
    assert actions == ["proposal.evidence", "proposal.create"]


def test_questions_an_article_already_answers_make_no_proposal(
    refresh: Refresh, resolve: Resolve
) -> None:
    # Three password-reset tickets: recurring, but the password-reset article covers them.
    for ticket_id in ("FH-10179", "FH-10244", "FH-10457"):
        resolve(ticket_id)

    report = refresh.service.scan(actor="test")

    assert report.gaps == 3
    assert not _proposals(refresh, NEW)


def test_one_ticket_alone_is_remembered_but_proposes_nothing(
    refresh: Refresh, resolve: Resolve
) -> None:
    resolve(QR_TICKETS[0])
    assert refresh.service.scan(actor="test").gaps == 1
    assert not _proposals(refresh, NEW)

    resolve(QR_TICKETS[1])
    report = refresh.service.scan(actor="test")

    assert report.created["new"] == 1
    [proposal] = _proposals(refresh, NEW)
    assert {e.ticket_ref for e in proposal.evidence} == set(QR_TICKETS[:2])


def test_no_customer_name_or_address_reaches_the_proposal_or_its_evidence(
    refresh: Refresh, resolve: Resolve
) -> None:
    resolve(
        "FH-10124",
        final_reply="Hi Patrick! Yes: Settings → Invoicing → Templates & branding → Payment "
        'options → turn on Print "Scan to pay" QR code on PDF. I have also sent a copy to '
        "patrick.mitchell@juniperridge.example for you, Patrick Mitchell.",
    )
    resolve("FH-10221", body="hey, does the qr code thing work on Starter? - Brandon Evans")
    resolve("FH-10163")

    refresh.service.scan(actor="test")

    [proposal] = _proposals(refresh, NEW)
    with refresh.database.sessions() as session:
        scanned = list(session.scalars(select(ScannedResolution)))
        audit = [e.data for e in AuditLog(session).entries(limit=50)]
    stored = json.dumps(
        [
            proposal.title,
            proposal.body,
            proposal.rationale,
            [(e.subject, e.excerpt) for e in proposal.evidence],
            [(s.subject, s.question, s.reply) for s in scanned],
            audit,
        ]
    )
    for value in ("Patrick", "Mitchell", "juniperridge", "Brandon", "Evans", "Pia", "Ward"):
        assert value not in stored, value
    assert "QR code" in stored


def test_overdue_articles_are_flagged_stale_once(refresh: Refresh) -> None:
    first = refresh.service.scan(actor="test")
    second = refresh.service.scan(actor="test")

    flagged = _proposals(refresh, STALE)
    assert first.created["stale"] == len(flagged) > 0
    assert not second.created
    overdue = {p.doc_id for p in flagged}
    assert {"uk-p60-p45", "mobile-app-sign-in-sync", "accessibility"} <= overdue
    sample = next(p for p in flagged if p.doc_id == "uk-p60-p45")
    assert sample.base_version == 1
    assert "passed 180 days ago" in sample.rationale
    assert sample.signal_counts == {"review_overdue": 1}


def test_evidence_rows_belong_to_one_proposal_each(refresh: Refresh, resolve: Resolve) -> None:
    for ticket_id in QR_TICKETS:
        resolve(ticket_id)
    refresh.service.scan(actor="test")
    refresh.service.scan(actor="test")

    with refresh.database.sessions() as session:
        rows = session.execute(
            select(ProposalEvidence.ticket_ref, func.count()).group_by(ProposalEvidence.ticket_ref)
        ).all()
    assert sorted(ref for ref, _ in rows) == sorted(QR_TICKETS)
    assert all(count == 1 for _, count in rows)


def _edited_draft(refresh: Refresh, ticket_id: str, doc_id: str) -> str:
    """A draft that cited ``doc_id`` and that the agent rewrote almost entirely."""
    with refresh.database.transaction() as session:
        draft = Draft(
            ticket_ref=ticket_id,
            channel="email",
            created_by="token:helpdesk",
            text="Hi,\n\nConnect Xero under Settings → Integrations. [1]\n\nBest,\nTandem",
            body=json.dumps(
                {"citations": [{"n": 1, "doc_id": doc_id}], "draft": {"needs_human": False}}
            ),
            confidence=0.62,
            status="edited",
            decision=json.dumps({"action": "edit", "edit_ratio": 0.83}),
        )
        session.add(draft)
        session.flush()
        return draft.id


def test_drafts_from_one_article_that_agents_rewrote_become_an_amendment_to_it(
    refresh: Refresh, resolve: Resolve
) -> None:
    for ticket_id in ("FH-10412", "FH-10449"):
        resolve(
            ticket_id, draft_id=_edited_draft(refresh, ticket_id, "integrations-xero-quickbooks")
        )

    report = refresh.service.scan(actor="test")

    assert report.created["amendment"] == 1
    [proposal] = _proposals(refresh, "amendment")
    assert proposal.doc_id == "integrations-xero-quickbooks"
    assert proposal.base_version == 1
    assert proposal.signal_counts["heavily_edited"] == 2
    with refresh.database.sessions() as session:
        live = live_body(session, proposal)
        rows = proposal_diff(session, proposal)
    assert proposal.body.startswith(live.rstrip())
    assert "## Also good to know" in proposal.body
    assert {row.kind for row in rows} == {"equal", "insert"}
