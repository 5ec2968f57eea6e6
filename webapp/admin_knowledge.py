"""Admin pages for knowledge: documents and their versions, ingestion runs, starting an ingest."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from flask import Flask, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from ingest.pipeline import Provenance
from kb.documents import DocumentStore, IngestRun
from kb.errors import TandemError
from kb.users import Role
from webapp.access import roles
from webapp.admin import bp
from webapp.context import db, tandem
from webapp.forms import IngestForm
from webapp.markdown import render_markdown
from webapp.security import current_actor

log = logging.getLogger(__name__)


@bp.get("/knowledge")
@roles(Role.ADMIN)
def knowledge() -> ResponseReturnValue:
    return _knowledge_page(IngestForm())


def _knowledge_page(form: IngestForm, status: int = 200) -> ResponseReturnValue:
    store = DocumentStore(db())
    runs = store.recent_runs(10)
    page = render_template(
        "admin/knowledge.html",
        documents=store.all(limit=1000),
        counts=store.counts(),
        runs=runs,
        running=any(run.status == "running" for run in runs),
        form=form,
    )
    return page, status


@bp.post("/knowledge/ingest")
@roles(Role.ADMIN)
def start_ingest() -> ResponseReturnValue:
    form = IngestForm()
    if not form.validate_on_submit():
        return _knowledge_page(form, 400)
    root = Path(form.path.data.strip()).expanduser()
    if not root.exists():
        form.path.errors = [f"No such file or folder on the server: {root}"]
        return _knowledge_page(form, 422)
    provenance = Provenance(
        source=form.source.data or None, approved=True if form.approved.data else None
    )
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    actor = current_actor()
    db().commit()
    threading.Thread(
        target=_run_in_background,
        args=(app, root, form.format.data, provenance, actor),
        name="tandem-ingest",
        daemon=True,
    ).start()
    flash(f"Ingestion of {root} started.")
    return redirect(url_for("admin.knowledge"))


def _run_in_background(
    app: Flask, root: Path, fmt: str, provenance: Provenance, actor: str
) -> None:
    with app.app_context():
        try:
            tandem().pipeline().ingest(root, actor=actor, format=fmt, provenance=provenance)
        except TandemError as exc:
            log.warning("ingestion of %s refused: %s", root, exc)
        except Exception:  # a background job has no one to raise to; the run row says failed
            log.exception("ingestion of %s failed", root)


@bp.get("/knowledge/runs/<int:run_id>")
@roles(Role.ADMIN)
def ingest_run(run_id: int) -> ResponseReturnValue:
    run = db().get(IngestRun, run_id)
    if run is None:
        abort(404)
    return render_template("admin/ingest_run.html", run=run)


@bp.get("/knowledge/documents/<doc_id>")
@roles(Role.KNOWLEDGE_MANAGER, Role.ADMIN)  # knowledge managers read history after approving
def document(doc_id: str) -> ResponseReturnValue:
    found = DocumentStore(db()).get(doc_id)
    if found is None:
        abort(404)
    live = next((v for v in found.versions if v.version == found.live_version), None)
    return render_template(
        "admin/document.html",
        document=found,
        live=live,
        live_html=render_markdown(live.body) if live is not None else None,
    )
