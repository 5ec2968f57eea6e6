from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo

from webapp.cli import main


def run(app: Flask, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


@pytest.fixture
def knowledge(app: Flask, tmp_path: Path) -> Flask:
    root = tmp_path / "help-center"
    root.mkdir()
    (root / "refunds.md").write_text("# Refund policy\n\nRefunds reach the card in 5 days.\n")
    (root / "payouts.md").write_text("# Payout schedule\n\nPayouts arrive in two days.\n")
    result = run(app, "ingest", str(root), "--source", "public")
    assert result.exit_code == 0, result.output
    return app


def test_search_prints_ranked_documents_with_path_and_chunk(knowledge: Flask) -> None:
    result = run(knowledge, "search", "when will my refund arrive", "--k", "1")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(" 1. ")
    assert "refunds  Refund policy" in lines[0]
    assert lines[1].strip() == "refunds.md  [refunds:1:0]"
    assert len(lines) == 2


def test_search_json_matches_the_api_results(knowledge: Flask) -> None:
    result = run(knowledge, "search", "payout", "--json", "--filter", "doc_id=payouts")
    assert result.exit_code == 0, result.output
    results = json.loads(result.output)["results"]
    assert [r["doc_id"] for r in results] == ["payouts"]
    assert {"title", "url", "path", "chunk_id", "score", "heading", "text"} <= set(results[0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--filter", "colour=red"], "filters.colour: Unknown filter field"),
        (["--filter", "colour"], "is not FIELD=VALUE"),
        (["--k", "0"], "0 is not in the range 1<=x<=50"),
    ],
)
def test_bad_options_are_explained(app: Flask, args: list[str], message: str) -> None:
    result = run(app, "search", "refund", *args)
    assert result.exit_code != 0
    assert message in result.output
