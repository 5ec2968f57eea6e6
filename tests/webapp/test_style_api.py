"""The style API: the current card, checking a reply, saving and publishing versions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kb.audit import AuditEntry
from kb.tokens import TokenService
from kb.users import Role
from styleguide.versions import StyleCardService, StyleCardVersion
from tests.conftest import https_client
from tests.styleguide.conftest import ADVERBS, MINIMAL, SLOW_REPLY, demo_text, regex_card
from webapp.context import tandem


def _bearer(api_token: Callable[[Role], str], role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(role)}"}


@pytest.fixture
def published(app: Flask) -> int:
    with tandem(app).database.transaction() as s:
        return StyleCardService(s).import_card(demo_text(), actor="bea", publish=True).number


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.json
    return body


def test_any_token_reads_the_current_card_with_its_number(
    client: FlaskClient, api_token: Callable[[Role], str], published: int
) -> None:
    response = client.get("/api/v1/style-card", headers=_bearer(api_token, Role.KNOWLEDGE_MANAGER))
    assert response.status_code == 200
    assert response.json["version"] == published
    assert response.json["status"] == "published"
    assert response.json["yaml"].startswith("# Fernhill support style card.")
    assert {r["id"] for r in response.json["card"]["rules"]} >= {
        "ban-unfortunately",
        "term-sign-in",
    }


def test_without_a_published_card_the_api_says_so(
    client: FlaskClient, api_token: Callable[[Role], str]
) -> None:
    body = _problem(client.get("/api/v1/style-card", headers=_bearer(api_token, Role.AGENT)), 404)
    assert body["detail"] == "No style card has been published yet."


def test_an_agent_checks_a_reply_and_gets_findings_with_spans_and_fixes(
    client: FlaskClient, api_token: Callable[[Role], str], published: int
) -> None:
    text = "Hi Dana,\n\nUnfortunately your refund was sent. Log in to see it."
    response = client.post(
        "/api/v1/style-check",
        json={"text": text, "channel": "email", "intent": "refund_request"},
        headers=_bearer(api_token, Role.AGENT),
    )
    assert response.status_code == 200, response.json
    assert response.json["card_version"] == published
    findings = {f["rule"]: f for f in response.json["findings"]}
    assert findings["disclaimer-refund"]["severity"] == "error"
    banned = findings["ban-unfortunately"]
    assert text[banned["start"] : banned["end"]] == "Unfortunately"
    assert findings["term-sign-in"]["suggestion"] == "Sign in"
    assert findings["term-sign-in"]["fix"] == {
        "start": text.index("Log in"),
        "end": text.index("Log in") + 6,
        "replacement": "Sign in",
        "safe": False,
    }


def test_a_check_with_an_unknown_field_or_channel_is_a_field_error(
    client: FlaskClient, api_token: Callable[[Role], str], published: int
) -> None:
    body = _problem(
        client.post(
            "/api/v1/style-check",
            json={"text": "Hi", "channel": "fax", "tone": "warm"},
            headers=_bearer(api_token, Role.AGENT),
        ),
        422,
    )
    assert set(body["errors"]) == {"channel", "tone"}


@pytest.mark.parametrize(
    ("card", "field", "message"),
    [
        (MINIMAL + "  - id: [unclosed\n", "yaml", "Line 11"),
        (
            MINIMAL.replace("pattern: unfortunately", 'pattern: "(x"\n    regex: true'),
            "banned_phrases.0.pattern",
            "Invalid regular expression",
        ),
        (
            MINIMAL.replace("    severity: warning", "    severity: warning\n    colour: red"),
            "banned_phrases.0.colour",
            "Unknown field.",
        ),
        (
            regex_card(r"(\w+\s?)*:", good="Thanks.", bad="Note:"),
            "banned_phrases.1.pattern",
            "This pattern can take too long on some text: on ",
        ),
    ],
    ids=["malformed-yaml", "invalid-regex", "unknown-key", "catastrophic-regex"],
)
def test_a_broken_card_gets_field_errors_and_nothing_is_saved(
    client: FlaskClient,
    api_token: Callable[[Role], str],
    count_rows: Callable[[type[Any]], int],
    card: str,
    field: str,
    message: str,
) -> None:
    response = client.post(
        "/api/v1/style-card/versions",
        json={"yaml": card},
        headers=_bearer(api_token, Role.BRAND_OWNER),
    )
    body = _problem(response, 422)
    assert body["errors"][field][0].startswith(message)
    assert count_rows(StyleCardVersion) == 0


def test_two_brand_owners_publishing_at_once_one_is_told_to_reload(
    client: FlaskClient,
    api_token: Callable[[Role], str],
    published: int,
    app: Flask,
) -> None:
    bea, ada = _bearer(api_token, Role.BRAND_OWNER), _bearer(api_token, Role.ADMIN)
    drafts = []
    for headers in (bea, ada):
        response = client.post(
            "/api/v1/style-card/versions", json={"yaml": MINIMAL, "note": "Trim"}, headers=headers
        )
        assert response.status_code == 201, response.json
        drafts.append(response.json["version"])
    first = client.post(
        f"/api/v1/style-card/versions/{drafts[0]}/publish",
        json={"expected_current": published},
        headers=bea,
    )
    assert first.status_code == 200
    second = client.post(
        f"/api/v1/style-card/versions/{drafts[1]}/publish",
        json={"expected_current": published},
        headers=ada,
    )
    assert "Reload" in _problem(second, 409)["detail"]
    assert client.get("/api/v1/style-card", headers=bea).json["version"] == drafts[0]
    with tandem(app).database.transaction() as s:
        actions = [e.action for e in s.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions[-2:] == ["style.publish", "style.publish_refused"]


def test_an_agent_may_not_save_cards_and_a_brand_owner_may_not_suppress(
    client: FlaskClient, api_token: Callable[[Role], str]
) -> None:
    agent, brand = _bearer(api_token, Role.AGENT), _bearer(api_token, Role.BRAND_OWNER)
    _problem(client.post("/api/v1/style-card/versions", json={"yaml": MINIMAL}, headers=agent), 403)
    suppression = {"reply": "draft:1", "rule": "ban-kindly", "start": 0, "end": 6, "reason": "x"}
    _problem(client.post("/api/v1/style-suppressions", json=suppression, headers=brand), 403)


def test_an_agent_suppresses_a_finding_on_one_reply_with_a_reason(
    client: FlaskClient, api_token: Callable[[Role], str], app: Flask
) -> None:
    agent = _bearer(api_token, Role.AGENT)
    suppression = {"reply": "draft:7", "rule": "ban-kindly", "start": 0, "end": 6, "reason": " "}
    assert (
        "reason"
        in _problem(
            client.post("/api/v1/style-suppressions", json=suppression, headers=agent), 422
        )["errors"]
    )
    suppression["reason"] = "The customer's own words, quoted back"
    response = client.post("/api/v1/style-suppressions", json=suppression, headers=agent)
    assert response.status_code == 201
    assert response.json["subject"] == "reply:draft:7"
    with tandem(app).database.transaction() as s:
        entry = s.get(AuditEntry, response.json["id"])
        assert entry is not None
        assert entry.actor == "token:test-agent"
        assert entry.details["reason"] == "The customer's own words, quoted back"


@pytest.fixture
def impatient_app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """An app whose card regexes get 1 ms per reply, with the adverb card published."""
    application = make_app(style_regex_timeout_ms=1)
    with tandem(application).database.transaction() as s:
        StyleCardService(s).import_card(ADVERBS, actor="bea", publish=True)
    yield application
    tandem(application).close()


def test_a_rule_too_slow_for_one_reply_is_reported_skipped_and_the_check_still_answers(
    impatient_app: Flask,
) -> None:
    with tandem(impatient_app).database.transaction() as s:
        secret = TokenService(s).create("helpdesk", role=Role.AGENT, actor="test").secret
    response = https_client(impatient_app).post(
        "/api/v1/style-check",
        json={"text": SLOW_REPLY},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    findings = {f["rule"]: f for f in response.json["findings"]}
    assert findings["ban-pattern"]["kind"] == "skipped"
    assert findings["ban-pattern"]["message"].startswith(
        "This rule was skipped: its pattern took too long on this reply (over 1 ms)."
    )
    assert findings["ban-unfortunately"]["kind"] == "violation"


def test_a_suppression_reason_is_stored_with_names_and_addresses_redacted(
    client: FlaskClient, api_token: Callable[[Role], str], app: Flask
) -> None:
    suppression = {
        "reply": "draft:8",
        "rule": "ban-kindly",
        "start": 0,
        "end": 6,
        "reason": "Dana Whitfield asked for this wording; write to dana.whitfield@example.com",
    }
    response = client.post(
        "/api/v1/style-suppressions", json=suppression, headers=_bearer(api_token, Role.AGENT)
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    with tandem(app).database.transaction() as s:
        entry = s.get(AuditEntry, response.json["id"])
        assert entry is not None
        assert entry.details["reason"].startswith(
            "<PERSON_1> asked for this wording; write to <EMAIL_ADDRESS_1>"
        )
        assert "dana" not in entry.data.lower()
