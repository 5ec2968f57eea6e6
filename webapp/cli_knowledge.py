"""``tandem ingest`` and ``tandem index``: thin wrappers over the ingestion pipeline."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click
from flask.cli import with_appcontext
from tqdm import tqdm

from ingest.pipeline import IngestPipeline, IngestReport, Provenance, Redacted
from kb.documents import DocumentStore
from kb.errors import IndexUnavailable, RedactorUnavailable, TandemError
from kb.index import open_index, state
from webapp.context import tandem

FORMATS = ["auto", "markdown", "html", "text", "zendesk", "intercom"]


def _fail(message: str) -> None:
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(1)


@click.command("ingest")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="How to read PATH; auto picks by file extension and JSON shape.",
)
@click.option(
    "--source",
    type=click.Choice(["public", "internal"]),
    default=None,
    help="Declare provenance for files that carry none (recorded in the audit log).",
)
@click.option(
    "--approved",
    is_flag=True,
    default=None,
    help="Declare files without front matter approved (recorded in the audit log).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@with_appcontext
def ingest_command(
    path: Path, fmt: str, source: str | None, approved: bool | None, as_json: bool
) -> None:
    """Ingest PATH (a file or folder): gate, redact, chunk, embed and index it."""
    try:
        pipeline = tandem().pipeline()
    except (IndexUnavailable, RedactorUnavailable) as exc:
        _fail(str(exc))
    bar = tqdm(desc="ingest", unit=" docs", disable=as_json or not sys.stderr.isatty())
    try:
        report = pipeline.ingest(
            path,
            actor="cli",
            format=fmt,
            provenance=Provenance(source=source, approved=approved),
            progress=lambda done: bar.update(done - bar.n),
        )
    except TandemError as exc:
        _fail(str(exc))
    finally:
        bar.close()
    if as_json:
        click.echo(json.dumps(report.to_json()))
    else:
        _print_summary(report)


def _print_summary(report: IngestReport) -> None:
    click.echo(
        f"{report.seen} seen: {report.new} new, {report.changed} changed, "
        f"{report.unchanged} unchanged, {report.refused} refused"
        + (f", {report.deleted} deleted" if report.deleted else "")
        + (f", {report.withdrawn} withdrawn" if report.withdrawn else "")
    )
    pii = ", ".join(f"{kind} {count}" for kind, count in sorted(report.pii.items())) or "none"
    click.echo(f"{report.chunks} chunks written; PII redacted: {pii}; {report.seconds:.1f} s")
    for refusal in report.refusals:
        click.echo(f"  refused {refusal['path']}: {refusal['reason']}")


@click.group("index")
def index_group() -> None:
    """The vector index (Qdrant Edge embedded, or a Qdrant server)."""


@index_group.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_appcontext
def index_stats(as_json: bool) -> None:
    """Documents and chunks in the index, the backend and the embedding model."""
    app = tandem()
    try:
        index = app.index()
    except IndexUnavailable as exc:
        _fail(str(exc))
    with app.database.transaction() as session:
        counts = DocumentStore(session).counts()
        recorded = session.get(state.IndexSetting, "dense_model")
    stats = {
        "documents": counts["documents"],
        "chunks": counts["chunks"],
        "points": index.count(),
        "backend": index.backend,
        "model": recorded.value if recorded else app.encoder().name,
    }
    if as_json:
        click.echo(json.dumps(stats))
        return
    for key, value in stats.items():
        click.echo(f"{key:<10} {value}")


@index_group.command("rebuild")
@with_appcontext
def index_rebuild() -> None:
    """Recreate the vector index from the document versions stored in SQL."""
    app = tandem()
    try:
        # No model check: rebuilding is how an index moves to a newly configured model.
        index = open_index(app.settings, app.database, app.encoder(), check_model=False)
    except IndexUnavailable as exc:
        _fail(str(exc))
    pipeline = IngestPipeline(app.database, index, redactor=_NO_REDACTION, encoder=app.encoder())
    with tqdm(desc="rebuild", unit=" docs", disable=not sys.stderr.isatty()) as bar:
        total = pipeline.rebuild(progress=lambda done: bar.update(done - bar.n))
    with app.database.transaction() as session:
        encoder = app.encoder()
        state.record(session, model=encoder.name, dim=encoder.dim)
    index.close()
    click.echo(f"Index rebuilt: {total} chunks.")


class _StoredTextOnly:
    """Rebuilding re-embeds text that was redacted when stored; it never redacts again."""

    def redact_many(self, texts: Sequence[str]) -> list[Redacted]:
        raise RuntimeError("a rebuild reads stored, already-redacted chunks only")


_NO_REDACTION = _StoredTextOnly()
