"""Ingestion through the CLI and the admin pages, and who may own the embedded index."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient

from kb.errors import IndexUnavailable
from kb.index import open_index
from kb.index.edge import EdgeIndex
from kb.index.encoders import WordLlamaEncoder
from kb.index.state import IndexSetting
from kb.users import Role
from tests.conftest import csrf_token
from webapp.cli import main
from webapp.context import tandem

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ingest"


def run(app: Flask, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_ingest_json_prints_the_summary_keys(app: Flask) -> None:
    result = run(app, "ingest", str(FIXTURES / "markdown"), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert {"seen", "new", "changed", "unchanged", "refused", "chunks", "pii", "seconds"} <= set(
        summary
    )
    assert summary["new"] == summary["seen"] - summary["refused"] > 0
    again = json.loads(run(app, "ingest", str(FIXTURES / "markdown"), "--json").stdout)
    assert (again["new"], again["changed"], again["chunks"]) == (0, 0, 0)


def test_index_stats_reports_documents_chunks_backend_and_model(app: Flask) -> None:
    run(app, "ingest", str(FIXTURES / "markdown"))
    stats = json.loads(run(app, "index", "stats", "--json").stdout)
    assert stats["backend"] == "qdrant-edge"
    assert stats["model"] == "wordllama-l2-supercat/256"
    assert stats["documents"] >= 1
    assert stats["chunks"] == stats["points"] > 0


def test_index_rebuild_recreates_the_index_from_sql(app: Flask) -> None:
    run(app, "ingest", str(FIXTURES / "markdown"))
    before = json.loads(run(app, "index", "stats", "--json").stdout)
    tandem(app).close()  # the rebuild opens the shard itself
    result = run(app, "index", "rebuild")
    assert result.exit_code == 0, result.output
    assert f"Index rebuilt: {before['chunks']} chunks." in result.output
    after = json.loads(run(app, "index", "stats", "--json").stdout)
    assert after["points"] == before["points"]


def test_the_cli_refuses_clearly_while_another_process_owns_the_index(app: Flask) -> None:
    owner = EdgeIndex(tandem(app).settings.index_dir, dim=256)  # as the running server would
    try:
        result = run(app, "ingest", str(FIXTURES / "markdown"))
    finally:
        owner.close()
    assert result.exit_code == 1
    assert "in use by another Tandem process" in result.output
    assert "stop the server" in result.output


def test_an_index_built_with_another_model_is_refused(app: Flask) -> None:
    with tandem(app).database.transaction() as s:
        s.add(IndexSetting(key="dense_model", value="some-other-model/384"))
    with pytest.raises(IndexUnavailable, match="tandem index rebuild"):
        open_index(tandem(app).settings, tandem(app).database, WordLlamaEncoder())


def test_an_admin_starts_an_ingest_and_reads_its_report(
    app: Flask, client: FlaskClient, sign_in_as: object
) -> None:
    sign_in_as(Role.ADMIN)  # type: ignore[operator]
    response = client.post(
        "/admin/knowledge/ingest",
        data={
            "path": str(FIXTURES),
            "format": "auto",
            "source": "",
            "csrf_token": csrf_token(client, "/admin/knowledge"),
        },
    )
    assert response.status_code == 302
    deadline = time.monotonic() + 60
    while "done" not in (page := client.get("/admin/knowledge").get_data(as_text=True)):
        assert time.monotonic() < deadline, "the ingest did not finish"
        time.sleep(0.2)
    assert "Reset your Fernhill password" in page
    report = client.get("/admin/knowledge/runs/1").get_data(as_text=True)
    assert "no provenance" in report  # the .txt fixture carries none
    assert "draft article" in report  # the Zendesk draft


def test_a_missing_path_is_a_field_error_and_starts_nothing(
    client: FlaskClient, sign_in_as: object
) -> None:
    sign_in_as(Role.ADMIN)  # type: ignore[operator]
    response = client.post(
        "/admin/knowledge/ingest",
        data={
            "path": "/no/such/folder",
            "format": "auto",
            "csrf_token": csrf_token(client, "/admin/knowledge"),
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "No such file or folder on the server" in page
    assert "No ingestion has run yet." in page
