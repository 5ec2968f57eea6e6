from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from kb.audit import AuditEntry
from kb.tickets import Customer, Ticket
from kb.users import Role

TICKET: dict[str, Any] = {
    "id": "FH-1",
    "channel": "email",
    "subject": "Payout missing",
    "body": "My payout from Friday has not arrived.",
    "customer": {
        "id": "C-1",
        "name": "Dana Whitfield",
        "email": "dana@whitfield.example",
        "tier": "premium",
    },
    "history": [{"id": "FH-0", "channel": "chat", "summary": "Asked about payouts"}],
}


@pytest.fixture
def agent(api_token: Callable[[Role], str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(Role.AGENT)}"}


def _is_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.json
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return body


def test_health_answers_without_a_token(client: FlaskClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["checks"] == {"database": "ok"}


def test_calls_without_a_valid_token_get_401_problem(client: FlaskClient) -> None:
    for headers in ({}, {"Authorization": "Bearer tdm_forged"}, {"Authorization": "Basic eDp5"}):
        response = client.get("/api/v1/me", headers=headers)
        _is_problem(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_role_without_access_gets_403_problem(
    client: FlaskClient, api_token: Callable[[Role], str]
) -> None:
    headers = {"Authorization": f"Bearer {api_token(Role.BRAND_OWNER)}"}
    _is_problem(client.post("/api/v1/tickets", json=TICKET, headers=headers), 403)


def test_unknown_api_paths_are_problems_too(client: FlaskClient, agent: dict[str, str]) -> None:
    _is_problem(client.get("/api/v1/nothing-here", headers=agent), 404)
    _is_problem(client.delete("/api/v1/tickets", headers=agent), 405)


def test_a_ticket_is_stored_with_its_customer(
    client: FlaskClient, agent: dict[str, str], count_rows: Callable[[type[Any]], int]
) -> None:
    created = client.post("/api/v1/tickets", json=TICKET, headers=agent)
    assert created.status_code == 201
    assert created.json["id"] == "FH-1"
    assert created.json["customer_id"] == "C-1"
    again = client.post("/api/v1/tickets", json={**TICKET, "status": "resolved"}, headers=agent)
    assert again.status_code == 200
    assert client.get("/api/v1/tickets/FH-1", headers=agent).json["status"] == "resolved"
    assert (count_rows(Ticket), count_rows(Customer)) == (1, 1)


BAD_BODIES = [
    pytest.param(
        {**TICKET, "customer": {**TICKET["customer"], "shoe_size": 9}},
        {"customer.shoe_size": ["Unknown field."]},
        id="nested-unknown-field",
    ),
    pytest.param(
        {**TICKET, "history": [{"id": "FH-0", "mood": "sad"}]},
        {"history.0.mood": ["Unknown field."]},
        id="unknown-field-in-a-list",
    ),
    pytest.param({**TICKET, "surprise": True}, {"surprise": ["Unknown field."]}, id="top-level"),
    pytest.param(
        {**TICKET, "channel": "fax", "body": 42},
        {"channel": ["Must be one of: email, chat."], "body": ["Not a valid string."]},
        id="wrong-types",
    ),
    pytest.param(
        {k: v for k, v in TICKET.items() if k != "body"},
        {"body": ["Missing data for required field."]},
        id="missing-body",
    ),
    pytest.param(
        {**TICKET, "customer": {**TICKET["customer"], "tier": "platinum"}},
        {"customer.tier": ["Must be one of: free, standard, premium, vip."]},
        id="bad-tier",
    ),
]


@pytest.mark.parametrize(("body", "errors"), BAD_BODIES)
def test_invalid_fields_get_422_with_per_field_errors_and_nothing_is_written(
    client: FlaskClient,
    agent: dict[str, str],
    count_rows: Callable[[type[Any]], int],
    body: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:
    audit_before = count_rows(AuditEntry)
    problem = _is_problem(client.post("/api/v1/tickets", json=body, headers=agent), 422)
    assert problem["errors"] == errors
    assert (count_rows(Ticket), count_rows(Customer)) == (0, 0)
    assert count_rows(AuditEntry) == audit_before


def test_a_body_over_the_limit_gets_413_and_nothing_is_written(
    client: FlaskClient, agent: dict[str, str], count_rows: Callable[[type[Any]], int]
) -> None:
    huge = {**TICKET, "body": "x" * (2 * 1024 * 1024)}
    _is_problem(client.post("/api/v1/tickets", json=huge, headers=agent), 413)
    assert count_rows(Ticket) == 0


def test_a_body_that_is_not_json_gets_415(
    client: FlaskClient, agent: dict[str, str], count_rows: Callable[[type[Any]], int]
) -> None:
    response = client.post(
        "/api/v1/tickets",
        data="id=FH-1",
        headers=agent,
        content_type="application/x-www-form-urlencoded",
    )
    _is_problem(response, 415)
    assert count_rows(Ticket) == 0


def test_malformed_json_gets_400(client: FlaskClient, agent: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/tickets", data="{not json", headers=agent, content_type="application/json"
    )
    assert "body" in _is_problem(response, 400)["errors"]


def test_the_openapi_document_describes_every_api_route(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {
        "/health",
        "/openapi.json",
        "/me",
        "/search",
        "/style-card",
        "/style-card/versions",
        "/style-card/versions/{version_id}/publish",
        "/style-check",
        "/style-suppressions",
        "/tickets",
        "/tickets/{ticket_id}",
        "/tickets/{ticket_id}/resolved",
        "/drafts",
        "/drafts/{draft_id}",
        "/drafts/{draft_id}/decision",
        "/proposals",
        "/proposals/{proposal_id}",
        "/proposals/{proposal_id}/transition",
        "/refresh/scan",
    }
    post = spec["paths"]["/tickets"]["post"]
    body_schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert body_schema == {"$ref": "#/components/schemas/Ticket"}
    assert spec["components"]["schemas"]["Customer"]["properties"]["tier"]["enum"] == [
        "free",
        "standard",
        "premium",
        "vip",
    ]
    assert "422" in post["responses"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
