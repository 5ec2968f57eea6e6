"""Stale documents: who owns each article, when it is due for review, and "Verify" to renew it."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from kb.errors import InvalidInput
from review.signals import SIGNAL_LABELS
from review.stale import stale_documents, verify
from webapp.access import roles
from webapp.context import db, tandem
from webapp.forms import attach_errors
from webapp.review import REVIEWERS, bp
from webapp.review_forms import VerifyForm, default_review_by
from webapp.security import current_actor


def _filters() -> dict[str, Any]:
    return {
        "owner": request.args.get("owner") or None,
        "overdue_only": request.args.get("overdue") == "1",
    }


def _owners(today: date) -> list[str]:
    """Everyone who owns a document in the view, for the owner filter."""
    return sorted({row.document.owner for row in stale_documents(db(), today=today)} - {""})


@bp.get("/stale")
@roles(*REVIEWERS)
def stale() -> ResponseReturnValue:
    return _stale_page()


def _stale_page(
    failed: str | None = None, form: VerifyForm | None = None, status: int = 200
) -> ResponseReturnValue:
    filters, today = _filters(), date.today()
    page = render_template(
        "review/stale.html",
        rows=stale_documents(db(), today=today, **filters),
        owners=_owners(today),
        filters=filters,
        default_review_by=default_review_by(tandem().settings.review_interval_days),
        signal_labels=SIGNAL_LABELS,
        failed=failed,
        failed_form=form,
    )
    return page, status


@bp.post("/stale/<doc_id>/verify")
@roles(*REVIEWERS)
def verify_document(doc_id: str) -> ResponseReturnValue:
    form = VerifyForm()
    if form.validate_on_submit():
        try:
            document = verify(db(), doc_id, actor=current_actor(), review_by=form.review_by.data)
        except InvalidInput as exc:
            db().rollback()
            attach_errors(form, exc)
        else:
            db().commit()
            flash(f"Verified {document.title or doc_id}: next review by {document.review_by}.")
            filters: dict[str, Any] = request.args.to_dict()  # back to the list as filtered
            return redirect(url_for("review.stale", **filters), 303)
    return _stale_page(doc_id, form, 422)
