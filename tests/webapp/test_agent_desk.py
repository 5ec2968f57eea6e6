"""The agent desk: paste or pick a ticket, read the draft and its sources, decide."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient

from kb.demo import DEMO_USERS
from kb.users import Role
from tests.conftest import csrf_token, https_client, sign_in
from webapp import create_app
from webapp.cli import main
from webapp.context import tandem


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app({"data_dir": tmp_path_factory.mktemp("desk") / "var", "TESTING": True})
    result = CliRunner().invoke(
        main, ["demo", "--no-serve"], obj=ScriptInfo(create_app=lambda: app)
    )
    assert result.exit_code == 0, result.output
    yield app
    tandem(app).close()


@pytest.fixture
def alice(demo_app: Flask) -> FlaskClient:
    client = https_client(demo_app)
    sign_in(client, next(u for u in DEMO_USERS if u.role is Role.AGENT))
    return client


def test_an_agent_drafts_a_pasted_ticket_and_opens_the_cited_passage(alice: FlaskClient) -> None:
    response = alice.post(
        "/agent/drafts",
        data={
            "channel": "email",
            "customer_name": "Dana Whitfield",
            "tier": "standard",
            "subject": "Export invoices",
            "body": "How do I export all my invoices as a spreadsheet for my accountant?",
            "csrf_token": csrf_token(alice, "/agent"),
        },
    )
    assert response.status_code == 302
    page = alice.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hi Dana," in page
    links = re.findall(r'href="(/agent/passages/[^"]+)"', page)
    assert links, "the draft shows no clickable citation"
    passage = alice.get(links[0].replace("&amp;", "&")).get_data(as_text=True)
    marked = re.search(r'<mark id="cited">(.+?)</mark>', passage, re.S)
    assert marked is not None
    assert len(marked.group(1).split()) >= 4


def test_an_agent_accepts_a_draft_for_a_demo_ticket(alice: FlaskClient) -> None:
    desk = alice.get("/agent").get_data(as_text=True)
    ticket_id = re.search(r'name="ticket_id" value="([^"]+)"', desk)
    assert ticket_id is not None
    response = alice.post(
        "/agent/drafts",
        data={"ticket_id": ticket_id.group(1), "csrf_token": csrf_token(alice, "/agent")},
    )
    draft_url = response.headers["Location"]
    page = alice.get(draft_url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    token = token or re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token is not None
    decided = alice.post(
        draft_url + "/decision", data={"action": "accept", "csrf_token": token.group(1)}
    )
    assert decided.status_code == 302
    assert "Status: <strong>accepted</strong>" in alice.get(draft_url).get_data(as_text=True)


def test_other_roles_cannot_reach_the_desk(demo_app: Flask) -> None:
    client = https_client(demo_app)
    sign_in(client, next(u for u in DEMO_USERS if u.role is Role.BRAND_OWNER))
    assert client.get("/agent").status_code == 403
