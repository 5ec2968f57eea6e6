"""The knowledge manager's pages: stale documents and "Verify", the editor's preview."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from sqlalchemy import select

from kb.audit import AuditEntry
from kb.demo import DEMO_USERS, articles_dir
from kb.documents import LIVE, Document, DocumentStore, DocumentVersion
from kb.users import Role
from review.demo import seed_resolutions
from review.proposals import (
    AMENDMENT,
    IN_REVIEW,
    NEW,
    PROPOSED,
    PUBLISHED,
    REJECTED,
    STALE,
    ProposalEvidence,
    RefreshProposal,
)
from review.queue import get_proposal
from tests.conftest import csrf_token, https_client, sign_in
from webapp import create_app
from webapp.cli import main
from webapp.context import tandem
from webapp.markdown import MAX_PREVIEW_CHARS

TODAY = date.today()


def store_document(
    app: Flask,
    doc_id: str,
    *,
    body: str = "# Title\n\nText.",
    title: str = "",
    owner: str = "",
    review_by: date | None = None,
    versions: int = 1,
) -> None:
    """A live document as ingestion or publishing leaves it (``versions`` of them, the last
    live), written straight to SQL: these tests are about the pages, not the pipeline."""
    with tandem(app).database.transaction() as s:
        document = Document(
            doc_id=doc_id,
            title=title or doc_id,
            source="internal",
            owner=owner,
            review_by=review_by,
            live_version=versions,
        )
        s.add(document)
        s.flush()
        for number in range(1, versions + 1):
            s.add(
                DocumentVersion(
                    document_id=document.id,
                    version=number,
                    content_hash=f"{number:064d}",
                    title=title or doc_id,
                    body=body if number == versions else f"old body {number}",
                    status=LIVE if number == versions else "superseded",
                    created_by="ingest" if number == 1 else "kiran",
                    note="" if number == 1 else f"Approved proposal {number}",
                )
            )


def _review_by(app: Flask, doc_id: str) -> date | None:
    with tandem(app).database.transaction() as s:
        found = DocumentStore(s).get(doc_id)
        assert found is not None
        return found.review_by


def _rows(html: str) -> list[str]:
    """The document ids in the stale table, top to bottom."""
    return re.findall(r"<br><code>([^<]+)</code>", html)


@pytest.fixture
def stale_docs(app: Flask) -> None:
    store_document(app, "refunds", owner="tomas", review_by=TODAY - timedelta(days=3))
    store_document(app, "payroll-tax", owner="priya", review_by=TODAY - timedelta(days=40))
    store_document(app, "qr-codes", owner="tomas", review_by=TODAY + timedelta(days=10))
    store_document(app, "unowned")


# --- stale documents --------------------------------------------------------------------------


def test_stale_documents_are_listed_most_overdue_first_with_owner_and_days(
    stale_docs: None, sign_in_as: Callable[[Role], FlaskClient]
) -> None:
    page = sign_in_as(Role.KNOWLEDGE_MANAGER).get("/review/stale").get_data(as_text=True)
    assert _rows(page) == ["payroll-tax", "refunds", "qr-codes", "unowned"]
    assert "40 days overdue" in page
    assert "3 days overdue" in page
    assert "due in 10 days" in page
    assert "no review date" in page
    assert (TODAY - timedelta(days=40)).isoformat() in page


def test_stale_documents_filter_by_owner_and_overdue(
    stale_docs: None, sign_in_as: Callable[[Role], FlaskClient]
) -> None:
    client = sign_in_as(Role.KNOWLEDGE_MANAGER)
    by_tomas = client.get("/review/stale?owner=tomas").get_data(as_text=True)
    assert _rows(by_tomas) == ["refunds", "qr-codes"]
    overdue = client.get("/review/stale?overdue=1").get_data(as_text=True)
    assert _rows(overdue) == ["payroll-tax", "refunds"]
    both = client.get("/review/stale?owner=tomas&overdue=1").get_data(as_text=True)
    assert _rows(both) == ["refunds"]


def test_verify_proposes_a_review_date_ninety_days_ahead(
    stale_docs: None, sign_in_as: Callable[[Role], FlaskClient]
) -> None:
    page = sign_in_as(Role.KNOWLEDGE_MANAGER).get("/review/stale").get_data(as_text=True)
    assert f'value="{(TODAY + timedelta(days=90)).isoformat()}"' in page


def test_verify_sets_the_new_review_date_and_audits_it(
    app: Flask, stale_docs: None, sign_in_as: Callable[[Role], FlaskClient]
) -> None:
    client = sign_in_as(Role.KNOWLEDGE_MANAGER)
    token = csrf_token(client, "/review/stale")
    new_date = TODAY + timedelta(days=30)
    response = client.post(
        "/review/stale/payroll-tax/verify?overdue=1",
        data={"csrf_token": token, "review_by": new_date.isoformat()},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/review/stale?overdue=1")
    assert _review_by(app, "payroll-tax") == new_date
    after = client.get("/review/stale?overdue=1").get_data(as_text=True)
    assert _rows(after) == ["refunds"]
    assert f"next review by {new_date.isoformat()}" in after
    with tandem(app).database.transaction() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "document.verify")).one()
        assert (entry.actor, entry.subject) == ("kiran", "document:payroll-tax")
        assert entry.details["review_by"] == new_date.isoformat()


def test_verify_refuses_a_past_date_with_a_field_error_and_changes_nothing(
    app: Flask, stale_docs: None, sign_in_as: Callable[[Role], FlaskClient]
) -> None:
    client = sign_in_as(Role.KNOWLEDGE_MANAGER)
    token = csrf_token(client, "/review/stale")
    yesterday = TODAY - timedelta(days=1)
    response = client.post(
        "/review/stale/refunds/verify",
        data={"csrf_token": token, "review_by": yesterday.isoformat()},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The next review date cannot be in the past." in page
    assert 'aria-invalid="true"' in page
    assert f'value="{yesterday.isoformat()}"' in page  # what was typed stays, to be corrected
    assert _review_by(app, "refunds") == TODAY - timedelta(days=3)


def test_verify_refuses_a_missing_date(
    app: Flask, stale_docs: None, sign_in_as: Callable[[Role], FlaskClient]
) -> None:
    client = sign_in_as(Role.KNOWLEDGE_MANAGER)
    token = csrf_token(client, "/review/stale")
    response = client.post("/review/stale/refunds/verify", data={"csrf_token": token})
    assert response.status_code == 422
    assert _review_by(app, "refunds") == TODAY - timedelta(days=3)


def test_verify_without_the_csrf_token_is_refused(
    app: Flask, stale_docs: None, sign_in_as: Callable[[Role], FlaskClient]
) -> None:
    client = sign_in_as(Role.KNOWLEDGE_MANAGER)
    response = client.post("/review/stale/refunds/verify", data={"review_by": TODAY.isoformat()})
    assert response.status_code == 400
    assert _review_by(app, "refunds") == TODAY - timedelta(days=3)


def test_verify_of_an_unknown_document_is_not_found(
    stale_docs: None, sign_in_as: Callable[[Role], FlaskClient]
) -> None:
    client = sign_in_as(Role.KNOWLEDGE_MANAGER)
    token = csrf_token(client, "/review/stale")
    response = client.post(
        "/review/stale/nope/verify", data={"csrf_token": token, "review_by": TODAY.isoformat()}
    )
    assert response.status_code == 404


# --- the preview ------------------------------------------------------------------------------


def test_the_preview_renders_markdown_as_the_published_page_will(
    sign_in_as: Callable[[Role], FlaskClient],
) -> None:
    client = sign_in_as(Role.KNOWLEDGE_MANAGER)
    token = csrf_token(client, "/review/stale")
    response = client.post(
        "/review/preview",
        data={"csrf_token": token, "body": "## Steps\n\n1. Open [Invoices](/invoices)"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h2>Steps</h2>" in html
    assert '<li>Open <a href="/invoices">Invoices</a></li>' in html


def test_the_preview_sanitises_script_and_links(
    sign_in_as: Callable[[Role], FlaskClient],
) -> None:
    client = sign_in_as(Role.KNOWLEDGE_MANAGER)
    token = csrf_token(client, "/review/stale")
    body = "<script>alert(1)</script> [pay](javascript:alert(1))"
    html = client.post("/review/preview", data={"csrf_token": token, "body": body}).get_data(
        as_text=True
    )
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "href" not in html


def test_the_preview_refuses_text_over_the_size_limit(
    sign_in_as: Callable[[Role], FlaskClient],
) -> None:
    client = sign_in_as(Role.KNOWLEDGE_MANAGER)
    token = csrf_token(client, "/review/stale")
    body = "x" * (MAX_PREVIEW_CHARS + 1)
    response = client.post("/review/preview", data={"csrf_token": token, "body": body})
    assert response.status_code == 413
    assert "Too long to preview" in response.get_data(as_text=True)


def test_the_preview_needs_the_csrf_token(sign_in_as: Callable[[Role], FlaskClient]) -> None:
    client = sign_in_as(Role.KNOWLEDGE_MANAGER)
    response = client.post("/review/preview", data={"body": "# hi"})
    assert response.status_code == 400


# --- the document page ------------------------------------------------------------------------


def test_the_document_page_shows_every_version_with_who_made_it_and_the_note(
    app: Flask, sign_in_as: Callable[[Role], FlaskClient]
) -> None:
    store_document(app, "qr-codes", body="## Scan to pay\n\nTurn on **QR code**.", versions=3)
    page = sign_in_as(Role.KNOWLEDGE_MANAGER).get("/admin/knowledge/documents/qr-codes")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    cells = r"<tr><td>(\d+)</td><td>(\w+)</td><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td>"
    assert re.findall(cells, html) == [
        ("3", "live", "kiran", "Approved proposal 3"),
        ("2", "superseded", "kiran", "Approved proposal 2"),
        ("1", "superseded", "ingest", "—"),
    ]
    assert "<h2>Scan to pay</h2>" in html
    assert "<strong>QR code</strong>" in html


# --- the queue --------------------------------------------------------------------------------


def store_proposal(
    app: Flask,
    title: str,
    *,
    kind: str = NEW,
    state: str = PROPOSED,
    doc_id: str = "",
    body: str = "# Draft\n\nText.",
    assignee: str = "",
    priority: float = 1.0,
    evidence: int = 1,
    age_days: int = 0,
) -> int:
    """A proposal as a scan would leave it, written straight to SQL (the queue is read-only
    here; scanning has its own tests). Returns its id."""
    created = datetime.now(UTC) - timedelta(days=age_days)
    with tandem(app).database.transaction() as s:
        document = s.scalar(select(Document).where(Document.doc_id == doc_id)) if doc_id else None
        proposal = RefreshProposal(
            kind=kind,
            state=state,
            title=title,
            doc_id=doc_id or title.lower().replace(" ", "-"),
            base_version=document.live_version if document else None,
            body=body,
            source="public",
            rationale=f"{evidence} resolved tickets asked about {title.lower()}.",
            signals=json.dumps({"no_draft": evidence}),
            priority=priority,
            priority_label="high" if priority >= 5 else "low",
            evidence_count=evidence,
            assignee=assignee,
            created_at=created,
            updated_at=created,
            created_by="test",
        )
        for n in range(evidence):
            proposal.evidence.append(
                ProposalEvidence(
                    ticket_ref=f"T-{title[:3].upper()}-{n}",
                    subject=f"About {title.lower()}",
                    excerpt="Go to Settings, then Invoicing.",
                    signals=json.dumps(["no_draft"]),
                    tier="premium" if n == 0 else "standard",
                    resolved_at=created,
                )
            )
        s.add(proposal)
        s.flush()
        return proposal.id


def _titles(html: str) -> list[str]:
    """The proposals in the queue table, top to bottom."""
    return re.findall(r'<a href="/review/proposals/\d+">([^<]+)</a>', html)


@pytest.fixture
def queue(app: Flask, users: object) -> None:
    store_proposal(app, "QR codes", priority=9, evidence=7, age_days=3)
    store_proposal(
        app,
        "Refund timing",
        kind=AMENDMENT,
        state=IN_REVIEW,
        assignee="kiran",
        priority=4,
        evidence=2,
        age_days=1,
    )
    store_proposal(app, "Payroll dates", kind=STALE, priority=6, evidence=0, age_days=0)
    store_proposal(
        app, "Scam invoices", state=REJECTED, assignee="ada", priority=2, evidence=3, age_days=5
    )


def test_the_queue_lists_proposals_by_priority_with_counts_per_state(
    queue: None, sign_in_as: Callable[[Role], FlaskClient]
) -> None:
    page = sign_in_as(Role.KNOWLEDGE_MANAGER).get("/review/").get_data(as_text=True)
    assert _titles(page) == ["QR codes", "Payroll dates", "Refund timing", "Scam invoices"]
    counts = dict(
        re.findall(r">(proposed|in review|approved|rejected|published) <strong>(\d+)", page)
    )
    assert counts == {
        "proposed": "2",
        "in review": "1",
        "approved": "0",
        "rejected": "1",
        "published": "0",
    }
    assert "7 tickets" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=proposed", ["QR codes", "Payroll dates"]),
        ("kind=amendment", ["Refund timing"]),
        ("kind=stale&state=proposed", ["Payroll dates"]),
        ("assignee=ada", ["Scam invoices"]),
        ("assignee=-", ["QR codes", "Payroll dates"]),
        ("mine=1", ["Refund timing"]),
        ("sort=newest", ["Payroll dates", "Refund timing", "QR codes", "Scam invoices"]),
        ("sort=evidence", ["QR codes", "Scam invoices", "Refund timing", "Payroll dates"]),
    ],
)
def test_the_queue_filters_and_sorts(
    queue: None, sign_in_as: Callable[[Role], FlaskClient], query: str, expected: list[str]
) -> None:
    page = sign_in_as(Role.KNOWLEDGE_MANAGER).get(f"/review/?{query}").get_data(as_text=True)
    assert _titles(page) == expected


def test_a_bad_filter_is_explained_and_the_whole_queue_shown(
    queue: None, sign_in_as: Callable[[Role], FlaskClient]
) -> None:
    response = sign_in_as(Role.KNOWLEDGE_MANAGER).get("/review/?state=lost")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "state: Use one of: proposed, in_review" in page
    assert len(_titles(page)) == 4


def test_the_queue_pages_keep_the_filters(
    app: Flask, users: object, sign_in_as: Callable[[Role], FlaskClient]
) -> None:
    for n in range(27):
        store_proposal(app, f"Topic {n:02d}", priority=100 - n)
    store_proposal(app, "Elsewhere", kind=STALE)
    client = sign_in_as(Role.KNOWLEDGE_MANAGER)
    first = client.get("/review/?kind=new").get_data(as_text=True)
    assert len(_titles(first)) == 25
    assert "27 proposals, page 1 of 2" in first
    next_link = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert next_link is not None
    second = client.get(unescape(next_link.group(1))).get_data(as_text=True)
    assert _titles(second) == ["Topic 25", "Topic 26"]
    assert 'rel="prev"' in second


def test_scanning_from_the_queue_turns_new_resolutions_into_proposals_and_says_what_it_did(
    app: Flask, sign_in_as: Callable[[Role], FlaskClient]
) -> None:

    tandem(app).pipeline().ingest(Path(str(articles_dir())), actor="test")
    recorded = seed_resolutions(tandem(app).database, tandem(app).redactor())
    client = sign_in_as(Role.KNOWLEDGE_MANAGER)
    assert "Scan resolved tickets" in client.get("/review/").get_data(as_text=True)

    response = client.post(
        "/review/scan", data={"csrf_token": csrf_token(client, "/review/")}, follow_redirects=True
    )

    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert f"Scan finished: {recorded} resolved tickets scanned" in html
    assert _titles(html), "the queue lists the proposals the scan created"


def test_a_scan_without_the_csrf_token_changes_nothing(
    app: Flask, sign_in_as: Callable[[Role], FlaskClient]
) -> None:

    seed_resolutions(tandem(app).database, tandem(app).redactor())
    client = sign_in_as(Role.KNOWLEDGE_MANAGER)

    response = client.post("/review/scan", data={})

    assert response.status_code == 400
    with tandem(app).database.sessions() as s:
        assert s.scalar(select(RefreshProposal.id)) is None


# --- a proposal and its actions ---------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The demo company with its knowledge base and refresh queue (``tandem demo``), shared by
    the tests that run real review actions; each works on a proposal of its own."""
    app = create_app({"data_dir": tmp_path_factory.mktemp("review") / "var", "TESTING": True})
    result = CliRunner().invoke(
        main, ["demo", "--no-serve"], obj=ScriptInfo(create_app=lambda: app)
    )
    assert result.exit_code == 0, result.output
    yield app
    tandem(app).close()


def _client(app: Flask, role: Role) -> FlaskClient:
    client = https_client(app)
    sign_in(client, next(u for u in DEMO_USERS if u.role is role))
    return client


def _shown_version(html: str) -> int:
    found = re.search(r'name="expected_version" value="(\d+)"', html)
    assert found is not None, "the page has no lock_version to send back"
    return int(found.group(1))


def _current(app: Flask, proposal_id: int) -> RefreshProposal:
    with tandem(app).database.sessions() as s:
        return get_proposal(s, proposal_id)


def test_the_proposal_page_shows_rationale_evidence_diff_and_editor(demo_app: Flask) -> None:
    proposal_id = store_proposal(
        demo_app,
        "Sending invoices, QR codes",
        kind=AMENDMENT,
        doc_id="invoice-create-send",
        body="# Create and send an invoice\n\nPrint a QR code with *Scan to pay*.",
        evidence=2,
    )
    page = _client(demo_app, Role.KNOWLEDGE_MANAGER).get(f"/review/proposals/{proposal_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2 resolved tickets asked about sending invoices, qr codes." in html
    assert "Answered without a draft: <strong>2</strong>" in html
    assert "T-SEN-0" in html
    assert "T-SEN-1" in html
    assert '<td class="tier-premium">premium</td>' in html
    assert 'href="/admin/knowledge/documents/invoice-create-send"' in html
    assert '<tr class="diff-insert">' in html or '<tr class="diff-replace">' in html
    assert '<tr class="diff-delete">' in html  # the live article's other lines go
    assert "<ins>Print a QR code with *Scan to pay*.</ins>" in html
    assert "<em>Scan to pay</em>" in html  # the preview pane, rendered
    assert 'data-preview-url="/review/preview"' in html
    assert _shown_version(html) == 1


def test_the_demo_queue_shows_the_qr_code_tickets_as_evidence_without_pii(
    demo_app: Flask,
) -> None:
    client = _client(demo_app, Role.KNOWLEDGE_MANAGER)
    queue = client.get("/review/?kind=new").get_data(as_text=True)
    link = re.search(r'<a href="(/review/proposals/\d+)">([^<]*(?:QR|Scan to pay)[^<]*)</a>', queue)
    assert link is not None, "the demo's QR-code topic has no proposal"
    html = client.get(link.group(1)).get_data(as_text=True)
    for ticket in ("FH-10124", "FH-10163", "FH-10221", "FH-10415"):
        assert ticket in html
    # FH-10124's customer, greeted by name in the final reply, and their address and company
    for pii in ("Patrick", "Mitchell", "juniperridge", "Juniper Ridge"):
        assert pii not in html


def test_reject_without_a_reason_shows_a_field_error_and_changes_nothing(
    demo_app: Flask,
) -> None:
    proposal_id = store_proposal(demo_app, "Reject me gently")
    client = _client(demo_app, Role.KNOWLEDGE_MANAGER)
    url = f"/review/proposals/{proposal_id}"
    version = _shown_version(client.get(url).get_data(as_text=True))
    response = client.post(
        f"{url}/reject",
        data={"csrf_token": csrf_token(client, url), "expected_version": version, "reason": " "},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Say why the proposal is rejected." in html
    assert 'id="reason-errors"' in html
    after = _current(demo_app, proposal_id)
    assert (after.state, after.lock_version, after.reject_reason) == (PROPOSED, 1, "")


def test_reject_with_a_reason_closes_the_proposal(demo_app: Flask) -> None:
    proposal_id = store_proposal(demo_app, "Not worth an article")
    client = _client(demo_app, Role.KNOWLEDGE_MANAGER)
    url = f"/review/proposals/{proposal_id}"
    response = client.post(
        f"{url}/reject",
        data={
            "csrf_token": csrf_token(client, url),
            "expected_version": "1",
            "reason": "Covered by the billing FAQ.",
        },
    )
    assert response.status_code == 303
    html = client.get(url).get_data(as_text=True)
    assert "Rejected: the proposal will not be published." in html
    assert "rejected</span>: Covered by the billing FAQ." in html
    assert f"{url}/approve" not in html
    assert _current(demo_app, proposal_id).state == REJECTED


def test_a_stale_lock_version_shows_the_conflict_and_changes_nothing(demo_app: Flask) -> None:
    proposal_id = store_proposal(demo_app, "Two reviewers", body="# Two\n\nOriginal text.")
    url = f"/review/proposals/{proposal_id}"
    kiran = _client(demo_app, Role.KNOWLEDGE_MANAGER)
    ada = _client(demo_app, Role.ADMIN)
    seen_by_kiran = _shown_version(kiran.get(url).get_data(as_text=True))
    started = ada.post(
        f"{url}/start",
        data={"csrf_token": csrf_token(ada, url), "expected_version": seen_by_kiran},
    )
    assert started.status_code == 303
    response = kiran.post(
        f"{url}/edit",
        data={
            "csrf_token": csrf_token(kiran, url),
            "expected_version": seen_by_kiran,
            "title": "Two reviewers",
            "body": "# Two\n\nKiran's text.",
        },
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else changed this proposal after you opened it" in html
    assert "Kiran&#39;s text." in html  # kept in the editor, to copy before reloading
    assert _shown_version(html) == seen_by_kiran  # nothing goes through until a reload
    after = _current(demo_app, proposal_id)
    assert (after.state, after.assignee, after.body) == (
        IN_REVIEW,
        "ada",
        "# Two\n\nOriginal text.",
    )
    assert after.lock_version == seen_by_kiran + 1


def test_assign_to_me_then_edit_and_approve_publishes_a_new_version(demo_app: Flask) -> None:
    proposal_id = store_proposal(
        demo_app,
        "Invoices: scan to pay",
        kind=AMENDMENT,
        doc_id="invoice-create-send",
        body="# Create and send an invoice\n\nDraft.",
    )
    url = f"/review/proposals/{proposal_id}"
    kiran = _client(demo_app, Role.KNOWLEDGE_MANAGER)
    token = csrf_token(kiran, url)
    with tandem(demo_app).database.sessions() as s:
        document = DocumentStore(s).get("invoice-create-send")
        assert document is not None
        live_before = document.live_version
    assigned = kiran.post(f"{url}/assign", data={"csrf_token": token, "expected_version": "1"})
    assert assigned.status_code == 303
    assert _current(demo_app, proposal_id).assignee == "kiran"
    edited = kiran.post(
        f"{url}/edit",
        data={
            "csrf_token": token,
            "expected_version": "2",
            "title": "Create and send an invoice",
            "body": "# Create and send an invoice\n\n## Scan to pay\n\nTurn on the QR code.",
        },
    )
    assert edited.status_code == 303
    page = kiran.get(url).get_data(as_text=True)
    assert "Your edit is saved." in page
    assert _current(demo_app, proposal_id).state == IN_REVIEW  # an edit starts the review
    approved = kiran.post(
        f"{url}/approve", data={"csrf_token": token, "expected_version": _shown_version(page)}
    )
    assert approved.status_code == 303
    page = kiran.get(url).get_data(as_text=True)
    after = _current(demo_app, proposal_id)
    assert after.state == PUBLISHED
    assert after.published_version == (live_before or 0) + 1
    assert f"Approved and published as version {after.published_version}." in page
    link = (
        f'href="/admin/knowledge/documents/invoice-create-send">version {after.published_version}'
    )
    assert link in page
    history = kiran.get("/admin/knowledge/documents/invoice-create-send").get_data(as_text=True)
    row = rf"<tr><td>{after.published_version}</td><td>live</td><td>[^<]*</td><td>kiran</td>"
    assert re.search(row, history), "the new version does not say who approved it"
    assert "<h2>Scan to pay</h2>" in history


def test_approving_an_unchanged_stale_flag_verifies_the_live_version(demo_app: Flask) -> None:
    with tandem(demo_app).database.sessions() as s:
        store = DocumentStore(s)
        document = store.get("accessibility")
        assert document is not None
        assert document.live_version is not None
        live = store.version("accessibility", document.live_version)
        assert live is not None
        number, body = document.live_version, live.body
    proposal_id = store_proposal(
        demo_app,
        "Accessibility in Fernhill",
        kind=STALE,
        state=IN_REVIEW,
        doc_id="accessibility",
        body=body,
    )
    url = f"/review/proposals/{proposal_id}"
    kiran = _client(demo_app, Role.KNOWLEDGE_MANAGER)
    approved = kiran.post(
        f"{url}/approve", data={"csrf_token": csrf_token(kiran, url), "expected_version": "1"}
    )
    assert approved.status_code == 303
    page = kiran.get(url).get_data(as_text=True)
    assert f"Approved: version {number} is verified as still right." in page
    with tandem(demo_app).database.sessions() as s:
        after = DocumentStore(s).get("accessibility")
        assert after is not None
        assert after.live_version == number
        assert after.review_by is not None
        assert after.review_by > TODAY
