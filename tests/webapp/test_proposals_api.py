"""The knowledge-refresh API: the issue's end-to-end acceptance, the queue, review transitions,
optimistic locking under concurrency, roles, and ``tandem refresh scan``."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy import func, select

from kb.audit import AuditLog
from kb.demo import articles_dir, demo_tickets
from kb.documents import Document, DocumentVersion
from kb.tokens import TokenService
from kb.users import Role
from review.demo import seed_resolutions
from review.proposals import NEW, RefreshProposal
from webapp import create_app
from webapp.cli import main
from webapp.context import tandem

QR_TICKETS = ("FH-10124", "FH-10163", "FH-10221", "FH-10350")
QR_ARTICLE = """# Print a "Scan to pay" QR code on PDF invoices

Add a QR code to printed and posted invoices so your customers can scan it and pay online.

## Steps

1. Go to Settings → Invoicing → Templates & branding and open your template.
2. Under Payment options, turn on Print "Scan to pay" QR code on PDF.
3. Choose the size (Standard or Large) and select Save template.

The QR code prints in the bottom-right corner next to the total, with a short
pay.fernhill.example link underneath. Scan to pay needs Fernhill Payments turned on and works on
every plan. Download PDFs again after turning it on.
"""
TICKET_FIELDS = ("id", "channel", "status", "subject", "body", "created_at", "customer", "history")


def _token(app: Flask, role: Role, name: str | None = None) -> dict[str, str]:
    with tandem(app).database.transaction() as s:
        secret = TokenService(s).create(name or f"t-{role.value}", role=role, actor="test").secret
    return {"Authorization": f"Bearer {secret}"}


def _as_api(ticket: dict[str, Any]) -> dict[str, Any]:
    """A demo ticket as the helpdesk sends it (its outcome fields come later, when resolved)."""
    sent = {k: v for k, v in ticket.items() if k in TICKET_FIELDS}
    sent["customer"] = {k: v for k, v in sent["customer"].items() if v is not None}
    loaded: dict[str, Any] = json.loads(json.dumps(sent, default=lambda v: v.isoformat()))
    return loaded


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json


# --- the acceptance test ----------------------------------------------------------------------


@pytest.fixture
def knowledge_app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """An app whose knowledge base holds the demo articles, and no resolved tickets yet."""
    app = make_app()
    tandem(app).pipeline().ingest(Path(str(articles_dir())), actor="test")
    yield app
    tandem(app).close()


def test_resolved_tickets_on_an_uncovered_topic_become_an_article_search_and_drafts_use(
    knowledge_app: Flask,
) -> None:
    client = knowledge_app.test_client()
    helpdesk = _token(knowledge_app, Role.AGENT, "helpdesk")
    kiran = _token(knowledge_app, Role.KNOWLEDGE_MANAGER, "kiran")
    demo = {t["id"]: t for t in demo_tickets()}

    # The helpdesk drafts each ticket (nothing covers the topic), the agent answers, it resolves.
    for ticket_id in QR_TICKETS:
        ticket = _as_api(demo[ticket_id])
        _ok(client.post("/api/v1/tickets", json=ticket, headers=helpdesk), 201)
        draft = _ok(client.post("/api/v1/drafts", json={"ticket": ticket}, headers=helpdesk), 201)
        assert not any("qr" in c["title"].lower() for c in draft["citations"])
        _ok(
            client.post(
                f"/api/v1/tickets/{ticket_id}/resolved",
                json={"final_reply": demo[ticket_id]["final_reply"], "outcome": "solved"},
                headers=helpdesk,
            ),
            201,
        )

    queue = _ok(client.get("/api/v1/proposals?kind=new", headers=kiran))
    [item] = queue["items"]
    proposal = _ok(client.get(f"/api/v1/proposals/{item['id']}", headers=kiran))
    assert sorted(e["ticket_id"] for e in proposal["evidence"]) == sorted(QR_TICKETS)
    assert {"low_confidence", "heavily_edited"} & set(proposal["signals"])
    assert all(row["kind"] == "insert" for row in proposal["diff"])
    assert "Patrick" not in json.dumps(proposal)

    version = proposal["lock_version"]
    for action, extra in (("start_review", {}), ("edit", {"body": QR_ARTICLE}), ("approve", {})):
        proposal = _ok(
            client.post(
                f"/api/v1/proposals/{item['id']}/transition",
                json={"action": action, "expected_version": version, **extra},
                headers=kiran,
            )
        )
        version = proposal["lock_version"]
    assert (proposal["state"], proposal["published_version"]) == ("published", 1)

    found = _ok(
        client.post(
            "/api/v1/search",
            json={"query": "Can I print a QR code on my invoice PDF so customers scan to pay?"},
            headers=helpdesk,
        )
    )
    assert found["results"][0]["doc_id"] == proposal["doc_id"]
    fresh = {
        "id": "T-QR-1",
        "channel": "email",
        "subject": "QR code on printed invoices",
        "body": "Can I add a scan to pay QR code to the PDF invoices I print for my customers?",
    }
    draft = _ok(client.post("/api/v1/drafts", json={"ticket": fresh}, headers=helpdesk), 201)
    assert proposal["doc_id"] in {c["doc_id"] for c in draft["citations"]}


# --- two reviewers at once, on both databases -------------------------------------------------


def test_two_reviewers_approving_at_once_publish_once(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    app = make_app(database_url=database_url)
    kiran = _token(app, Role.KNOWLEDGE_MANAGER, "kiran")
    ada = _token(app, Role.ADMIN, "ada")
    with tandem(app).database.transaction() as s:
        proposal = RefreshProposal(
            kind=NEW,
            state="in_review",
            title='Print a "Scan to pay" QR code on PDF invoices',
            doc_id="scan-to-pay-qr-code",
            body=QR_ARTICLE,
            lock_version=3,
            created_by="test",
        )
        s.add(proposal)
        s.flush()
        proposal_id = proposal.id
    # Load the models and use each token once first, so both requests race on the approval
    # only (a token's first use records its last-used time, a write of its own).
    tandem(app).refresh()
    for headers in (kiran, ada):
        _ok(app.test_client().get(f"/api/v1/proposals/{proposal_id}", headers=headers))
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def approve(headers: dict[str, str]) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(
            f"/api/v1/proposals/{proposal_id}/transition",
            json={"action": "approve", "expected_version": 3},
            headers=headers,
        )
        statuses.append(response.status_code)
        if response.status_code == 409:
            assert response.mimetype == "application/problem+json"

    try:
        threads = [threading.Thread(target=approve, args=(h,)) for h in (kiran, ada)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        assert sorted(statuses) == [200, 409]
        with tandem(app).database.transaction() as s:
            versions = s.scalar(
                select(func.count())
                .select_from(DocumentVersion)
                .join(Document)
                .where(Document.doc_id == "scan-to-pay-qr-code")
            )
            published = AuditLog(s).entries(action="proposal.publish")
        assert versions == 1
        assert len(published) == 1
    finally:
        tandem(app).close()


# --- the queue on the demo company ------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The demo company: `tandem demo` records its resolved tickets and scans them."""
    app = create_app({"data_dir": tmp_path_factory.mktemp("refresh-demo") / "var", "TESTING": True})
    result = CliRunner().invoke(
        main, ["demo", "--no-serve"], obj=ScriptInfo(create_app=lambda: app)
    )
    assert result.exit_code == 0, result.output
    assert "Refresh: 176 resolved tickets recorded." in result.output
    yield app
    tandem(app).close()


def test_the_demo_queue_opens_with_the_qr_code_article_proposed(demo: Flask) -> None:
    client = demo.test_client()
    kiran = _token(demo, Role.KNOWLEDGE_MANAGER, "kiran-queue")

    new = _ok(client.get("/api/v1/proposals?kind=new&sort=evidence", headers=kiran))

    top = new["items"][0]
    assert top["evidence_count"] == 7
    assert top["priority_label"] in ("normal", "high", "urgent")
    detail = _ok(client.get(f"/api/v1/proposals/{top['id']}", headers=kiran))
    assert {e["ticket_id"] for e in detail["evidence"]} == {
        "FH-10124", "FH-10163", "FH-10177", "FH-10221", "FH-10296", "FH-10350", "FH-10415",
    }  # fmt: skip
    assert "QR code" in detail["body"]
    for seeded in ("Patrick", "Mitchell", "Pia Ward", "Brandon", "Paula Tan", "Vikram"):
        assert seeded not in json.dumps(detail)


def test_the_queue_filters_sorts_and_pages_with_a_next_link(demo: Flask) -> None:
    client = demo.test_client()
    kiran = _token(demo, Role.KNOWLEDGE_MANAGER, "kiran-pages")

    everything = _ok(client.get("/api/v1/proposals?per_page=100", headers=kiran))
    first = _ok(client.get("/api/v1/proposals?kind=stale&per_page=2", headers=kiran))
    second = _ok(client.get(first["next"], headers=kiran))

    stale_total = sum(1 for p in everything["items"] if p["kind"] == "stale")
    assert first["total"] == stale_total >= 3
    assert first["pages"] == -(-stale_total // 2)
    assert {p["kind"] for p in first["items"] + second["items"]} == {"stale"}
    assert not {p["id"] for p in first["items"]} & {p["id"] for p in second["items"]}
    priorities = [p["priority"] for p in everything["items"]]
    assert priorities == sorted(priorities, reverse=True)
    assert "kind=stale" in first["next"]
    assert "page=2" in first["next"]


@pytest.mark.parametrize(
    "query", ["state=done", "kind=faq", "sort=random", "page=0", "per_page=500", "colour=red"]
)
def test_bad_queue_filters_are_a_problem_naming_the_field(demo: Flask, query: str) -> None:
    kiran = _token(demo, Role.KNOWLEDGE_MANAGER, f"kiran-{query}")
    response = demo.test_client().get(f"/api/v1/proposals?{query}", headers=kiran)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert query.split("=")[0] in response.json["errors"]


def _stale_proposal(app: Flask, kiran: dict[str, str]) -> dict[str, Any]:
    listed = _ok(
        app.test_client().get("/api/v1/proposals?kind=stale&state=proposed", headers=kiran)
    )
    return dict(listed["items"][0])


def test_a_stale_version_gets_409_and_a_missing_reason_422_and_neither_changes_anything(
    demo: Flask,
) -> None:
    client = demo.test_client()
    kiran = _token(demo, Role.KNOWLEDGE_MANAGER, "kiran-conflict")
    item = _stale_proposal(demo, kiran)
    url = f"/api/v1/proposals/{item['id']}/transition"
    version = item["lock_version"]

    stale = client.post(url, json={"action": "start_review", "expected_version": version + 7},
                        headers=kiran)  # fmt: skip
    no_reason = client.post(url, json={"action": "reject", "expected_version": version},
                            headers=kiran)  # fmt: skip
    too_early = client.post(url, json={"action": "approve", "expected_version": version},
                            headers=kiran)  # fmt: skip

    assert stale.status_code == 409
    assert stale.mimetype == "application/problem+json"
    assert no_reason.status_code == 422
    assert "reason" in no_reason.json["errors"]
    assert too_early.status_code == 422
    assert "action" in too_early.json["errors"]
    after = _ok(client.get(f"/api/v1/proposals/{item['id']}", headers=kiran))
    assert (after["state"], after["lock_version"]) == ("proposed", version)


def test_rejecting_with_a_reason_records_it_and_indexes_nothing(demo: Flask) -> None:
    client = demo.test_client()
    kiran = _token(demo, Role.KNOWLEDGE_MANAGER, "kiran-reject")
    listed = _ok(
        client.get("/api/v1/proposals?kind=new&state=proposed&sort=evidence", headers=kiran)
    )
    item = listed["items"][-1]  # the one with the least evidence
    with tandem(demo).database.transaction() as s:
        before = s.scalar(select(func.count()).select_from(DocumentVersion))

    rejected = _ok(
        client.post(
            f"/api/v1/proposals/{item['id']}/transition",
            json={"action": "reject", "expected_version": item["lock_version"], "reason": "Noise."},
            headers=kiran,
        )
    )

    assert (rejected["state"], rejected["reject_reason"]) == ("rejected", "Noise.")
    with tandem(demo).database.transaction() as s:
        assert s.scalar(select(func.count()).select_from(DocumentVersion)) == before
        assert s.scalar(select(Document).where(Document.doc_id == item["doc_id"])) is None


def test_agents_and_brand_owners_see_nothing_of_the_queue(demo: Flask) -> None:
    client = demo.test_client()
    before = _state_of(demo, 1)
    for role in (Role.AGENT, Role.BRAND_OWNER):
        headers = _token(demo, role, f"no-{role.value}")
        assert client.get("/api/v1/proposals", headers=headers).status_code == 403
        assert client.get("/api/v1/proposals/1", headers=headers).status_code == 403
        response = client.post(
            "/api/v1/proposals/1/transition",
            json={"action": "approve", "expected_version": 1},
            headers=headers,
        )
        assert response.status_code == 403
        assert response.mimetype == "application/problem+json"
    assert _state_of(demo, 1) == before


def _state_of(app: Flask, proposal_id: int) -> tuple[str, int]:
    with tandem(app).database.transaction() as s:
        found = s.get(RefreshProposal, proposal_id)
        assert found is not None
        return found.state, found.lock_version


def test_refresh_scan_on_the_cli_prints_a_summary_and_is_idempotent(demo: Flask) -> None:
    runner = CliRunner()

    text = runner.invoke(main, ["refresh", "scan"], obj=ScriptInfo(create_app=lambda: demo))
    as_json = runner.invoke(
        main, ["refresh", "scan", "--json"], obj=ScriptInfo(create_app=lambda: demo)
    )

    assert text.exit_code == 0, text.output
    assert text.output.startswith("0 resolved tickets scanned")
    report = json.loads(as_json.output)
    assert report["scanned"] == 0
    assert report["created"] == {"new": 0, "amendment": 0, "stale": 0}


def test_verifying_a_stale_article_sets_its_next_review_date(demo: Flask) -> None:
    document = tandem(demo).refresh().verify("accessibility", actor="kiran")
    assert document.review_by is not None
    assert document.review_by > date.today()
    with tandem(demo).database.transaction() as s:
        [entry] = AuditLog(s).entries(action="document.verify", limit=1)
        assert entry.subject == "document:accessibility"
        assert entry.actor == "kiran"
    assert isinstance(entry.at, datetime)


def test_a_knowledge_manager_scans_from_the_server_while_it_owns_the_index(
    knowledge_app: Flask,
) -> None:

    client = knowledge_app.test_client()
    kiran = _token(knowledge_app, Role.KNOWLEDGE_MANAGER, "kiran-scan")
    recorded = seed_resolutions(tandem(knowledge_app).database, tandem(knowledge_app).redactor())

    first = _ok(client.post("/api/v1/refresh/scan", json={}, headers=kiran))
    again = _ok(client.post("/api/v1/refresh/scan", json={}, headers=kiran))

    assert first["scanned"] == recorded > 0
    assert first["created"]["new"] >= 1
    assert first["summary"].startswith(f"{recorded} resolved tickets scanned")
    queue = _ok(client.get("/api/v1/proposals?per_page=100", headers=kiran))
    assert sorted(p["id"] for p in queue["items"]) == sorted(first["proposal_ids"])
    assert (again["scanned"], again["created"]) == (0, {"new": 0, "amendment": 0, "stale": 0})


def test_a_scan_request_with_unknown_fields_is_refused_and_scans_nothing(
    knowledge_app: Flask,
) -> None:

    client = knowledge_app.test_client()
    kiran = _token(knowledge_app, Role.KNOWLEDGE_MANAGER, "kiran-scan-bad")
    seed_resolutions(tandem(knowledge_app).database, tandem(knowledge_app).redactor())

    response = client.post("/api/v1/refresh/scan", json={"since": "yesterday"}, headers=kiran)

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "since" in response.json["errors"]
    assert _ok(client.get("/api/v1/proposals", headers=kiran))["total"] == 0
