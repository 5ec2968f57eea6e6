"""Approval publishes: a new document version, re-indexed on its own, found by search at once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from kb.demo import articles_dir
from kb.documents import LIVE, SUPERSEDED, Document, DocumentStore
from kb.errors import InvalidInput, PermissionDenied
from review.proposals import AMENDMENT, NEW, RefreshProposal
from review.queue import get_proposal, live_body
from tests.review.conftest import QR_TICKETS, Refresh, Resolve

QR_ARTICLE = """# Print a "Scan to pay" QR code on PDF invoices

Add a QR code to printed and posted invoices so customers can scan it and pay on the spot.

## Steps

1. Go to Settings → Invoicing → Templates & branding and open your template.
2. Under Payment options, turn on Print "Scan to pay" QR code on PDF.
3. Choose the size (Standard or Large) and select Save template.

The QR code prints in the bottom-right corner next to the total, with a short
pay.fernhill.example link underneath. It needs Fernhill Payments turned on and works on every
plan. Download PDFs again after turning it on.
"""
QR_QUESTION = "Can I print a QR code on my PDF invoices so clients can scan to pay?"


def _new_proposal(refresh: Refresh, resolve: Resolve) -> RefreshProposal:
    for ticket_id in QR_TICKETS[:3]:
        resolve(ticket_id)
    refresh.service.scan(actor="test")
    with refresh.database.sessions() as session:
        return session.scalars(select(RefreshProposal).where(RefreshProposal.kind == NEW)).one()


def _review(refresh: Refresh, proposal_id: int, *, body: str | None = None) -> RefreshProposal:
    service = refresh.service
    started = service.transition(proposal_id, "start_review", expected_version=1, actor="kiran")
    version = started.lock_version
    if body is not None:
        version = service.transition(
            proposal_id, "edit", expected_version=version, actor="kiran", body=body
        ).lock_version
    return service.transition(proposal_id, "approve", expected_version=version, actor="kiran")


def test_an_approved_new_article_is_live_at_once_and_search_finds_it_first(
    refresh: Refresh, resolve: Resolve
) -> None:
    proposal = _new_proposal(refresh, resolve)

    published = _review(refresh, proposal.id, body=QR_ARTICLE)

    assert published.state == "published"
    assert published.published_version == 1
    hits = refresh.search.search(QR_QUESTION, k=5)
    assert hits[0].doc_id == proposal.doc_id
    assert hits[0].version == 1
    with refresh.database.sessions() as session:
        document = DocumentStore(session).get(proposal.doc_id)
        assert document is not None
        [version] = document.versions
        assert (version.status, version.created_by) == (LIVE, "kiran")
        assert f"proposal {proposal.id}" in version.note
        assert (document.source, document.owner) == ("public", "kiran")
        assert document.review_by is not None
        assert document.review_by.isoformat() == "2027-02-25"
        assert document.origin == str(refresh.knowledge_dir.resolve())


def test_a_new_article_survives_reingesting_its_folder_unchanged(
    refresh: Refresh, resolve: Resolve
) -> None:
    proposal = _new_proposal(refresh, resolve)
    _review(refresh, proposal.id, body=QR_ARTICLE)
    written = refresh.knowledge_dir / f"{proposal.doc_id}.md"
    assert written.read_text("utf-8").startswith("---\nid: ")

    report = refresh.pipeline.ingest(refresh.knowledge_dir, actor="admin")

    assert (report.unchanged, report.new, report.changed, report.deleted) == (1, 0, 0, 0)


def test_a_rejected_proposal_is_never_indexed(refresh: Refresh, resolve: Resolve) -> None:
    proposal = _new_proposal(refresh, resolve)

    with pytest.raises(InvalidInput) as missing:
        refresh.service.transition(proposal.id, "reject", expected_version=1, actor="kiran")
    assert "reason" in missing.value.errors
    rejected = refresh.service.transition(
        proposal.id, "reject", expected_version=1, actor="kiran", reason="Covered by the FAQ."
    )

    assert (rejected.state, rejected.reject_reason) == ("rejected", "Covered by the FAQ.")
    assert all(hit.doc_id != proposal.doc_id for hit in refresh.search.search(QR_QUESTION))
    with refresh.database.sessions() as session:
        assert DocumentStore(session).get(proposal.doc_id) is None
    assert not refresh.knowledge_dir.exists()


def _amendment(refresh: Refresh, doc_id: str, section: str) -> int:
    with refresh.database.transaction() as session:
        document = DocumentStore(session).get(doc_id)
        assert document is not None
        assert document.live_version == 1
        body = live_body(session, RefreshProposal(doc_id=doc_id))
        proposal = RefreshProposal(
            kind=AMENDMENT,
            title=document.title,
            doc_id=doc_id,
            base_version=1,
            body=f"{body.rstrip()}\n\n{section}\n",
            source=document.source,
            audience=document.audience,
            product=document.product,
            created_by="test",
        )
        session.add(proposal)
        session.flush()
        return proposal.id


SECTION = """## Print a QR code on PDF invoices

Under Payment options, turn on Print "Scan to pay" QR code on PDF; it prints next to the total."""


def assert_reingesting_the_source_keeps_the_amendment(refresh: Refresh) -> None:
    report = refresh.pipeline.ingest(Path(str(articles_dir())), actor="admin")

    assert report.changed == 0
    with refresh.database.sessions() as session:
        document = DocumentStore(session).get("invoice-templates-branding")
        assert document is not None
        assert document.live_version == 2
    assert any(
        "Scan to pay" in h.field("text")
        for h in refresh.search.search("QR code on PDF invoices", k=10)
        if h.doc_id == "invoice-templates-branding"
    )


def test_an_amendment_replaces_the_old_chunks_and_keeps_both_versions_in_history(
    refresh: Refresh,
) -> None:
    proposal_id = _amendment(refresh, "invoice-templates-branding", SECTION)

    published = _review(refresh, proposal_id)

    assert (published.state, published.published_version) == ("published", 2)
    hits = refresh.search.search(
        "Print a Scan to pay QR code on PDF invoices",
        k=20,
        filters={"doc_id": ["invoice-templates-branding"]},
    )
    assert hits
    assert {h.version for h in hits} == {2}
    assert all(h.chunk_id.startswith("invoice-templates-branding:2:") for h in hits)
    assert any("Scan to pay" in h.field("text") for h in hits)
    with refresh.database.sessions() as session:
        document = DocumentStore(session).get("invoice-templates-branding")
        assert document is not None
        history = [(v.version, v.status, v.created_by) for v in document.versions]
        assert history == [(1, SUPERSEDED, "test"), (2, LIVE, "kiran")]
        assert "approved by kiran" in document.versions[1].note


def test_reingesting_the_unchanged_source_folder_does_not_undo_an_approved_amendment(
    refresh: Refresh,
) -> None:
    _review(refresh, _amendment(refresh, "invoice-templates-branding", SECTION))

    assert_reingesting_the_source_keeps_the_amendment(refresh)


def test_an_approval_while_another_ingestion_runs_stays_approved_and_publishes_later(
    refresh: Refresh, resolve: Resolve
) -> None:
    proposal = _new_proposal(refresh, resolve)
    started, release = threading.Event(), threading.Event()

    def hold(_done: int) -> None:
        started.set()
        release.wait(timeout=60)

    ingestion = threading.Thread(
        target=refresh.pipeline.ingest,
        args=(Path(str(articles_dir())),),
        kwargs={"actor": "admin", "progress": hold},
    )
    ingestion.start()
    assert started.wait(timeout=60)
    try:
        waiting = _review(refresh, proposal.id, body=QR_ARTICLE)
    finally:
        release.set()
        ingestion.join(timeout=120)

    assert waiting.state == "approved"
    assert "Another ingestion" in waiting.publish_error
    with refresh.database.sessions() as session:
        assert session.scalar(select(Document).where(Document.doc_id == proposal.doc_id)) is None
        current = get_proposal(session, proposal.id).lock_version

    again = refresh.service.transition(
        proposal.id, "publish", expected_version=current, actor="kiran"
    )

    assert (again.state, again.published_version, again.publish_error) == ("published", 1, "")
    assert refresh.search.search(QR_QUESTION, k=3)[0].doc_id == proposal.doc_id


def test_a_stale_flag_approved_unchanged_verifies_the_article(refresh: Refresh) -> None:
    refresh.service.scan(actor="test")
    with refresh.database.sessions() as session:
        stale = session.scalars(
            select(RefreshProposal).where(RefreshProposal.doc_id == "uk-p60-p45")
        ).one()

    verified = _review(refresh, stale.id)

    assert (verified.state, verified.published_version) == ("published", 1)
    with refresh.database.sessions() as session:
        document = DocumentStore(session).get("uk-p60-p45")
        assert document is not None
        assert document.review_by is not None
        assert document.review_by.isoformat() == "2027-02-25"
        assert len(document.versions) == 1


def test_the_service_refuses_a_role_that_may_not_review(refresh: Refresh, resolve: Resolve) -> None:
    proposal = _new_proposal(refresh, resolve)

    with pytest.raises(PermissionDenied):
        refresh.service.transition(
            proposal.id, "start_review", expected_version=1, actor="alice", actor_role="agent"
        )

    with refresh.database.sessions() as session:
        assert get_proposal(session, proposal.id).state == "proposed"


class ProcessDied(BaseException):
    """The server process ending mid-publish (not an error anything would catch)."""


def test_an_amendment_interrupted_mid_publish_is_finished_by_repair_and_not_undone_later(
    refresh: Refresh, monkeypatch: pytest.MonkeyPatch
) -> None:
    proposal_id = _amendment(refresh, "invoice-templates-branding", SECTION)

    def die(*_args: object, **_kwargs: object) -> None:
        raise ProcessDied

    with monkeypatch.context() as patch:
        patch.setattr(refresh.pipeline.index, "upsert", die)
        with pytest.raises(ProcessDied):
            _review(refresh, proposal_id)

    assert refresh.pipeline.repair() >= 1  # what the next run does first
    assert_reingesting_the_source_keeps_the_amendment(refresh)
