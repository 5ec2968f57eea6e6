"""``tandem style``: keep the style card in git too (import a file, export a version)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from kb.errors import TandemError
from styleguide.card import BaseLoader, packaged_base, parse_yaml
from styleguide.versions import StyleCardService
from webapp.context import tandem


def _fail(message: str) -> None:
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(1)


def _beside(path: Path) -> BaseLoader:
    """Base cards next to the imported file first (a repository's own), then Tandem's."""

    def load(name: str) -> str:
        local = path.parent / f"{name}.yaml"
        return local.read_text("utf-8") if local.is_file() else packaged_base(name)

    return load


@click.group("style")
def style_group() -> None:
    """The style card replies are checked against."""


@style_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="Make it the current card at once.")
@click.option("--note", default=None, help="The change note (defaults to the card's own).")
@with_appcontext
def style_import(path: Path, publish: bool, note: str | None) -> None:
    """Validate the card in PATH and save it as a new version (a draft unless --publish)."""
    text = path.read_text("utf-8")
    with tandem().database.transaction() as session:
        service = StyleCardService(session, bases=_beside(path))
        try:
            author = str(parse_yaml(text).get("author") or "cli")
            version = service.import_card(
                text, actor="cli", publish=publish, note=note, author=author
            )
        except TandemError as exc:
            errors = getattr(exc, "errors", {})
            lines = [f"{field}: {m}" for field, messages in errors.items() for m in messages]
            _fail("\n  ".join([str(exc), *lines]))
        state = "published (now current)" if publish else "saved as a draft"
        click.echo(f"Version {version.number} {state}.")


@style_group.command("export")
@click.option(
    "--version", "number", type=int, default=None, help="Which version (default: current)."
)
@with_appcontext
def style_export(number: int | None) -> None:
    """Print a version's card as YAML (the current one by default)."""
    with tandem().database.transaction() as session:
        service = StyleCardService(session)
        try:
            chosen = service.get(number) if number else service.get(service.current()[0])
        except TandemError as exc:
            _fail(str(exc))
        click.echo(chosen.content, nl=not chosen.content.endswith("\n"))
