"""``tandem search``: the CLI twin of ``POST /api/v1/search``, a thin wrapper over the service."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from kb.errors import IndexUnavailable, InvalidInput, RedactorUnavailable
from retrieval.search import MAX_K
from webapp.context import tandem


def _fail(message: str) -> None:
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(1)


def _filters(pairs: tuple[str, ...]) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name or not value:
            raise click.BadParameter(f"{pair!r} is not FIELD=VALUE", param_hint="--filter")
        filters.setdefault(name, []).append(value)
    return filters


@click.command("search")
@click.argument("query")
@click.option(
    "--k",
    default=10,
    show_default=True,
    type=click.IntRange(1, MAX_K),
    help="How many chunks to return.",
)
@click.option(
    "--filter",
    "pairs",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Only documents whose FIELD is VALUE (repeat it; values of one field are alternatives).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object, as the API does.")
@with_appcontext
def search_command(query: str, k: int, pairs: tuple[str, ...], as_json: bool) -> None:
    """Search the knowledge base for QUERY (redacted first), best documents first."""
    try:
        hits = tandem().search().search(query, k=k, filters=_filters(pairs))
    except InvalidInput as exc:
        _fail("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items()) or str(exc))
    except (IndexUnavailable, RedactorUnavailable) as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps({"results": [hit.as_result() for hit in hits]}))
        return
    if not hits:
        click.echo("No results.")
    for rank, hit in enumerate(hits, start=1):
        shown = hit.as_result()
        click.echo(f"{rank:>2}. {hit.score:.3f}  {hit.doc_id}  {shown['title']}")
        click.echo(f"    {shown['url'] or shown['path']}  [{hit.chunk_id}]")
