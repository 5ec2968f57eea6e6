"""The agent desk: paste or pick a ticket, read the draft and its sources, decide."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

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


def test_the_desk_links_each_ticket_to_its_latest_draft_and_its_status(
    alice: FlaskClient,
) -> None:
    response = alice.post(
        "/agent/drafts",
        data={"ticket_id": "FH-10574", "csrf_token": csrf_token(alice, "/agent")},
    )
    draft_url = response.headers["Location"]

    desk = alice.get("/agent").get_data(as_text=True)

    row = desk[desk.index("<td>FH-10574</td>") :].split("</tr>", 1)[0]
    assert f'<a href="{draft_url}"' in row
    assert ">suggested</a>" in row
    untouched = desk[desk.index("<td>FH-10573</td>") :].split("</tr>", 1)[0]
    assert "none" in untouched


def test_the_draft_page_shows_the_customers_message_and_their_earlier_contacts(
    alice: FlaskClient,
) -> None:
    # FH-10554: Margaret Okafor (VIP) asks for an incident report; five earlier tickets on file.
    response = alice.post(
        "/agent/drafts",
        data={"ticket_id": "FH-10554", "csrf_token": csrf_token(alice, "/agent")},
    )
    page = unescape(alice.get(response.headers["Location"]).get_data(as_text=True))

    assert "Request for written incident report for our solicitor" in page
    assert "our solicitor has advised us to keep a formal" in page  # the message itself
    history = page[page.index("Customer and history") :]
    assert "tickets on file" in history
    for earlier in ("FH-10537", "FH-10409", "FH-10386", "FH-10363", "FH-10331"):
        assert earlier in history
    assert history.index("FH-10537") < history.index("FH-10331")  # newest first


def test_a_pasted_ticket_shows_its_redacted_summary(alice: FlaskClient) -> None:
    response = alice.post(
        "/agent/drafts",
        data={
            "channel": "chat",
            "customer_name": "Dana Whitfield",
            "tier": "standard",
            "body": "My colleague Priya Raman says the payroll export is missing June.",
            "csrf_token": csrf_token(alice, "/agent"),
        },
    )
    page = unescape(alice.get(response.headers["Location"]).get_data(as_text=True))

    shown = page[page.index("What the customer wrote") : page.index("Reply</h2>")]
    assert "payroll export is missing June" in shown
    assert "Priya Raman" not in page


def test_other_roles_cannot_reach_the_desk(demo_app: Flask) -> None:
    client = https_client(demo_app)
    sign_in(client, next(u for u in DEMO_USERS if u.role is Role.BRAND_OWNER))
    assert client.get("/agent").status_code == 403
