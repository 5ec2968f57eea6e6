"""``tandem refresh``: the knowledge-refresh scan on the CLI, a thin wrapper over the service."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext
from tqdm import tqdm

from kb.errors import IndexUnavailable, RedactorUnavailable
from webapp.context import tandem


def _fail(message: str) -> None:
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(1)


@click.group("refresh")
def refresh_group() -> None:
    """Knowledge refresh: resolved tickets become proposals for knowledge managers."""


@refresh_group.command("scan")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@with_appcontext
def refresh_scan(as_json: bool) -> None:
    """Scan resolved tickets not scanned yet into proposals, and flag stale documents."""
    bar = tqdm(desc="scan", unit=" tickets", disable=as_json or not sys.stderr.isatty())

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        report = tandem().refresh().scan(actor="cli", progress=progress)
    except IndexUnavailable as exc:
        # The usual cause is the server owning the embedded index: it can run the scan itself.
        _fail(
            f"{exc}\nWhile the server runs, scan from it instead: Knowledge refresh → "
            '"Scan resolved tickets", or POST /api/v1/refresh/scan.'
        )
    except RedactorUnavailable as exc:
        _fail(str(exc))
    finally:
        bar.close()
    if as_json:
        click.echo(json.dumps(report.to_json()))
    else:
        click.echo(report.summary())
