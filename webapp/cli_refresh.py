"""``tandem refresh``: the knowledge-refresh scan on the CLI, a thin wrapper over the service."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext
from tqdm import tqdm

from kb.errors import IndexUnavailable, RedactorUnavailable
from review.scanning import ScanReport
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
    except (IndexUnavailable, RedactorUnavailable) as exc:
        _fail(str(exc))
    finally:
        bar.close()
    if as_json:
        click.echo(json.dumps(report.to_json()))
    else:
        click.echo(summary(report))


def summary(report: ScanReport) -> str:
    """One paragraph a person reads after a scan (also printed by ``tandem demo``)."""
    created = report.to_json()["created"]
    made = ", ".join(f"{n} {kind}" for kind, n in created.items() if n) or "none"
    return (
        f"{report.scanned} resolved tickets scanned, {report.gaps} with gap signals; "
        f"{report.joined} added to open proposals; {report.groups_checked} recurring groups "
        f"checked, {report.covered} already covered; proposals created: {made} "
        f"({report.seconds:.1f} s)."
    )
