"""An OpenAI-compatible embedding server as the dense model (``embedding_model =
openai-compatible``). The server is the suite's fake model server (``tests/fake_llm.py``): the
one component faked, because no embedding server runs here; Tandem's real llama-index client,
Qdrant Edge and SQLite do the rest."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo

from kb.demo import articles_dir
from kb.errors import IndexUnavailable, SettingsError
from kb.index.state import IndexSetting
from kb.settings import load_settings
from kb.tokens import TokenService
from tests.fake_llm import EMBEDDING_DIM, FakeLlm
from webapp.cli import main
from webapp.context import tandem

QUESTION = "How do I export my invoices to a spreadsheet for my accountant?"


def _embedding_settings(fake: FakeLlm) -> dict[str, Any]:
    return {
        "embedding_model": "openai-compatible",
        "embedding_base_url": fake.openai_url,
        "embedding_server_model": "fake-embed",
    }


@pytest.fixture
def served_app(make_app: Callable[..., Flask], fake_llm: FakeLlm) -> Iterator[Flask]:
    app = make_app(**_embedding_settings(fake_llm))
    yield app
    tandem(app).close()


def _token(app: Flask) -> dict[str, str]:
    with tandem(app).database.transaction() as s:
        secret = TokenService(s).create("helpdesk", role="agent", actor="test").secret
    return {"Authorization": f"Bearer {secret}"}


def _recorded_model(app: Flask) -> str:
    with tandem(app).database.sessions() as s:
        row = s.get(IndexSetting, "dense_model")
        return row.value if row else ""


def test_documents_are_embedded_by_the_server_and_searched_with_its_vectors(
    served_app: Flask, fake_llm: FakeLlm
) -> None:
    tandem(served_app).pipeline().ingest(Path(str(articles_dir())), actor="test")

    found = served_app.test_client().post(
        "/api/v1/search", json={"query": QUESTION, "k": 5}, headers=_token(served_app)
    )

    assert found.status_code == 200
    assert "export" in found.json["results"][0]["title"].lower()
    assert _recorded_model(served_app) == f"openai-compatible:fake-embed/{EMBEDDING_DIM}"
    embedded = [r for r in fake_llm.requests if r["path"].endswith("/embeddings")]
    assert {r["body"]["model"] for r in embedded} == {"fake-embed"}
    # The question reached the server redacted, like everything else Tandem embeds.
    assert any("accountant" in str(r["body"]["input"]) for r in embedded)


def test_a_search_answers_503_when_the_embedding_server_fails(
    served_app: Flask, fake_llm: FakeLlm
) -> None:
    tandem(served_app).pipeline().ingest(Path(str(articles_dir())), actor="test")
    headers = _token(served_app)
    fake_llm.fails(500)

    response = served_app.test_client().post(
        "/api/v1/search", json={"query": QUESTION}, headers=headers
    )

    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert "embedding server" in response.json["detail"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_start_up_stops_naming_the_setting_when_the_server_does_not_answer(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(
        embedding_model="openai-compatible",
        embedding_base_url=f"http://127.0.0.1:{_closed_port()}/v1",
        embedding_server_model="fake-embed",
        embedding_timeout_seconds=2.0,
    )

    with pytest.raises(SettingsError, match="embedding_base_url"):
        tandem(app).search()


@pytest.mark.parametrize("missing", ["EMBEDDING_BASE_URL", "EMBEDDING_SERVER_MODEL"])
def test_the_server_model_needs_an_address_and_a_model_name(tmp_path: Path, missing: str) -> None:
    environ = {
        "TANDEM_DATA_DIR": str(tmp_path),
        "TANDEM_EMBEDDING_MODEL": "openai-compatible",
        "TANDEM_EMBEDDING_BASE_URL": "http://127.0.0.1:9/v1",
        "TANDEM_EMBEDDING_SERVER_MODEL": "fake-embed",
    }
    del environ[f"TANDEM_{missing}"]

    with pytest.raises(SettingsError, match=missing.lower()):
        load_settings(environ={**os.environ, **environ})


def test_switching_models_is_refused_until_the_index_is_rebuilt(
    make_app: Callable[..., Flask], fake_llm: FakeLlm
) -> None:
    wordllama = make_app()
    tandem(wordllama).pipeline().ingest(Path(str(articles_dir())), actor="test")
    tandem(wordllama).close()

    switched = make_app(**_embedding_settings(fake_llm))
    with pytest.raises(IndexUnavailable, match="tandem index rebuild"):
        tandem(switched).search()

    rebuilt = CliRunner().invoke(
        main, ["index", "rebuild"], obj=ScriptInfo(create_app=lambda: switched)
    )
    assert rebuilt.exit_code == 0, rebuilt.output
    tandem(switched).close()
    after = make_app(**_embedding_settings(fake_llm))
    hits = tandem(after).search().search(QUESTION, k=3)
    assert hits
    assert "export" in str(hits[0].payload.get("title", "")).lower()
    assert _recorded_model(after) == f"openai-compatible:fake-embed/{EMBEDDING_DIM}"
    tandem(after).close()
