"""``tandem style import`` and ``tandem style export``, and the demo seeding the card."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from styleguide.versions import StyleCardService
from tests.styleguide.conftest import MINIMAL, regex_card
from tests.webapp.test_cli import run
from webapp.context import tandem


def test_import_saves_a_draft_or_publishes_and_export_prints_it(app: Flask, tmp_path: Path) -> None:
    card = tmp_path / "style_card.yaml"
    card.write_text("# kept in git\n" + MINIMAL, "utf-8")
    draft = run(app, "style", "import", str(card))
    assert draft.exit_code == 0, draft.output
    assert "Version 1 saved as a draft." in draft.output
    published = run(app, "style", "import", str(card), "--publish", "--note", "From git")
    assert "Version 2 published (now current)." in published.output
    exported = run(app, "style", "export")
    assert exported.exit_code == 0
    assert exported.output.startswith("# kept in git\n")
    assert 'note: "From git"' in exported.output
    assert "version: 1" in run(app, "style", "export", "--version", "1").output


def test_import_explains_errors_and_saves_nothing(app: Flask, tmp_path: Path) -> None:
    card = tmp_path / "broken.yaml"
    card.write_text(MINIMAL.replace("severity: warning", "severity: loud"), "utf-8")
    result = run(app, "style", "import", str(card))
    assert result.exit_code == 1
    assert "banned_phrases.0.severity: Must be one of" in result.output
    with tandem(app).database.transaction() as s:
        assert StyleCardService(s).versions() == []


def test_import_refuses_a_pattern_that_can_run_for_minutes_and_saves_nothing(
    app: Flask, tmp_path: Path
) -> None:
    card = tmp_path / "slow.yaml"
    card.write_text(regex_card(r"(a+)+$", good="Thanks.", bad="aaa"), "utf-8")
    result = run(app, "style", "import", str(card), "--publish")
    assert result.exit_code == 1
    assert "banned_phrases.1.pattern: This pattern can take too long on some text" in result.output
    with tandem(app).database.transaction() as s:
        assert StyleCardService(s).versions() == []


def test_import_finds_a_base_card_next_to_the_file(app: Flask, tmp_path: Path) -> None:
    (tmp_path / "house.yaml").write_text(MINIMAL, "utf-8")
    card = tmp_path / "week.yaml"
    card.write_text("effective_week: 2026-W49\nextends: house\n", "utf-8")
    result = run(app, "style", "import", str(card), "--publish")
    assert result.exit_code == 0, result.output
    with tandem(app).database.transaction() as s:
        _, compiled = StyleCardService(s).current()
        assert set(compiled.base_specs) == {"ban-unfortunately"}


def test_export_without_a_card_fails_clearly(app: Flask) -> None:
    result = run(app, "style", "export")
    assert result.exit_code == 1
    assert "No style card has been published yet." in result.output
