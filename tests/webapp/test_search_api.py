from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ingest.pipeline import Provenance
from kb.index.edge import EdgeIndex
from kb.users import Role
from webapp.context import tandem

ARTICLES = {
    "billing/refunds.md": "# Refund policy\n\nRefunds reach the original card within 5 days.\n",
    "billing/payouts.md": "# Payout schedule\n\nPayouts arrive two days after a payment.\n",
}
RESULT_FIELDS = {
    "doc_id", "title", "url", "path", "chunk_id", "heading", "text", "score", "chunk_score",
    "visibility",
}  # fmt: skip


@pytest.fixture
def knowledge(app: Flask, tmp_path: Path) -> Flask:
    root = tmp_path / "help-center"
    for name, body in ARTICLES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(body, encoding="utf-8")
    with app.app_context():
        tandem().pipeline().ingest(root, actor="test", provenance=Provenance(source="public"))
    return app


@pytest.fixture
def agent(api_token: Callable[[Role], str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(Role.AGENT)}"}


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.json
    return body


def test_search_returns_ranked_chunks_with_their_documents(
    knowledge: Flask, client: FlaskClient, agent: dict[str, str]
) -> None:
    response = client.post("/api/v1/search", json={"query": "refund to my card"}, headers=agent)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.json
    assert body["took_ms"] >= 0
    first = body["results"][0]
    assert set(first) == RESULT_FIELDS
    assert first["doc_id"] == "billing-refunds"
    assert first["path"] == "billing/refunds.md"
    assert first["title"] == "Refund policy"
    assert first["chunk_id"] == "billing-refunds:1:0"
    assert first["visibility"] == "public"
    assert "original card" in first["text"]
    scores = [result["score"] for result in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_k_and_filters_shape_the_results(
    knowledge: Flask, client: FlaskClient, agent: dict[str, str]
) -> None:
    one = client.post("/api/v1/search", json={"query": "payout refund", "k": 1}, headers=agent)
    assert len(one.json["results"]) == 1
    only = client.post(
        "/api/v1/search",
        json={"query": "payout refund", "filters": {"doc_id": ["billing-payouts"]}},
        headers=agent,
    )
    assert {r["doc_id"] for r in only.json["results"]} == {"billing-payouts"}
    internal = client.post(
        "/api/v1/search",
        json={"query": "refund", "filters": {"visibility": ["internal"]}},
        headers=agent,
    )
    assert internal.json["results"] == []


BAD_BODIES = [
    pytest.param({}, {"query": ["Missing data for required field."]}, id="no-query"),
    pytest.param({"query": "   "}, {"query": ["Give words to search."]}, id="blank-query"),
    pytest.param(
        {"query": "x" * 2001}, {"query": ["Length must be between 1 and 2000."]}, id="long"
    ),
    pytest.param(
        {"query": "refund", "k": 0},
        {"k": ["Must be greater than or equal to 1 and less than or equal to 50."]},
        id="k-too-small",
    ),
    pytest.param({"query": "refund", "sort": "date"}, {"sort": ["Unknown field."]}, id="unknown"),
    pytest.param(
        {"query": "refund", "filters": {"colour": ["red"]}},
        {
            "filters.colour": [
                "Unknown filter field; use one of: audience, product, language, visibility, "
                "source, doc_id."
            ]
        },
        id="unknown-filter-field",
    ),
    pytest.param(
        {"query": "refund", "filters": {"language": "en"}},
        {"filters.language.value": ["Not a valid list."]},
        id="filter-not-a-list",
    ),
]


@pytest.mark.parametrize(("body", "errors"), BAD_BODIES)
def test_bad_input_gets_422_with_field_errors(
    client: FlaskClient, agent: dict[str, str], body: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    problem = _problem(client.post("/api/v1/search", json=body, headers=agent), 422)
    assert problem["errors"] == errors


def test_search_needs_a_token(client: FlaskClient) -> None:
    _problem(client.post("/api/v1/search", json={"query": "refund"}), 401)


def test_an_index_held_by_another_process_is_a_503_problem(
    app: Flask, client: FlaskClient, agent: dict[str, str]
) -> None:
    # Another owner of the Edge shard (a running `tandem ingest`, say) holds its lock.
    holder = EdgeIndex(tandem(app).settings.index_dir, dim=256)
    try:
        problem = _problem(client.post("/api/v1/search", json={"query": "x"}, headers=agent), 503)
    finally:
        holder.close()
    assert "in use by another Tandem process" in problem["detail"]
