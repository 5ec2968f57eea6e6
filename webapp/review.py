"""The knowledge manager's area: the refresh queue, proposals, the editor's preview, stale docs.

The routes are split by page: the queue and the preview here, a proposal and its actions in
``review_proposals``, stale documents in ``review_stale``; all live on this one blueprint.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from kb.errors import IndexUnavailable, InvalidInput, RedactorUnavailable
from kb.users import Role, UserService
from review.proposals import KINDS, STATES
from review.queue import ProposalFilter, list_proposals, state_counts
from webapp.access import roles
from webapp.context import db, tandem
from webapp.markdown import MAX_PREVIEW_CHARS, render_markdown
from webapp.review_forms import PreviewForm, ScanForm
from webapp.security import current_actor

bp = Blueprint("review", __name__, url_prefix="/review")
REVIEWERS = (Role.KNOWLEDGE_MANAGER, Role.ADMIN)
SORTS = {
    "priority": "Priority",
    "newest": "Newest",
    "evidence": "Most evidence",
    "updated": "Recently changed",
    "oldest": "Oldest",
}
UNASSIGNED = "-"  # the assignee filter's value for "nobody" (a username is never "-")


def queue_args() -> dict[str, Any]:
    """The queue's query string, normalised: what the filter form shows and links keep."""
    args = request.args
    return {
        "state": args.get("state", ""),
        "kind": args.get("kind", ""),
        "assignee": args.get("assignee", ""),
        "mine": args.get("mine") == "1",
        "sort": args.get("sort", "priority"),
        "page": args.get("page", 1, type=int) or 1,
    }


def _link_args(args: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The query string of a link that keeps the current filters (empty ones left out)."""
    merged = {**args, "mine": "1" if args["mine"] else "", **changes}
    return {name: value for name, value in merged.items() if value not in ("", None, False)}


def _filter(args: dict[str, Any]) -> ProposalFilter:
    assignee: str | None = args["assignee"] or None
    if assignee == UNASSIGNED:
        assignee = ""
    if args["mine"]:
        assignee = current_user.username
    return ProposalFilter(
        state=args["state"] or None,
        kind=args["kind"] or None,
        assignee=assignee,
        sort=args["sort"],
        page=args["page"],
    )


def reviewers() -> list[str]:
    return sorted(
        u.username for u in UserService(db()).all() if u.is_active and u.role_enum in REVIEWERS
    )


@bp.get("/")
@roles(*REVIEWERS)
def index() -> ResponseReturnValue:
    args = queue_args()
    errors: dict[str, list[str]] = {}
    try:
        page = list_proposals(db(), _filter(args))
    except InvalidInput as exc:
        # A hand-edited or outdated link: say what was wrong and show the default queue.
        errors = exc.errors or {"filters": [str(exc)]}
        args = {**args, **{name: "" for name in errors if name in ("state", "kind")}}
        page = list_proposals(db(), ProposalFilter())
    counts = state_counts(db())
    html = render_template(
        "review/index.html",
        page=page,
        counts=counts,
        args=args,
        errors=errors,
        states=STATES,
        kinds=KINDS,
        sorts=SORTS,
        reviewers=reviewers(),
        unassigned=UNASSIGNED,
        pager_args=lambda number: _link_args(args, page=number),
        scan_form=ScanForm(),
    )
    return html, 400 if errors else 200


@bp.post("/scan")
@roles(*REVIEWERS)
def scan() -> ResponseReturnValue:
    """Scan the resolved tickets not scanned yet, from the server: the one process that may own
    the embedded index while it runs (``tandem refresh scan`` cannot then). The CSRF token is
    checked app-wide before this runs."""
    db().commit()  # release the request's transaction: the scan writes in its own
    try:
        report = tandem().refresh().scan(actor=current_actor())
    except (IndexUnavailable, RedactorUnavailable) as exc:
        flash(f"The scan could not run: {exc}", "error")
    else:
        flash(f"Scan finished: {report.summary()}")
    return redirect(url_for("review.index"), 303)


@bp.post("/preview")
@roles(*REVIEWERS)
def preview() -> ResponseReturnValue:
    """The editor's Markdown as the published page will show it: an HTML fragment."""
    form = PreviewForm()
    if not form.validate_on_submit():
        return _fragment('<p class="preview-error">The page expired; reload it.</p>', 400)
    body = form.body.data or ""
    if len(body) > MAX_PREVIEW_CHARS:
        message = f"Too long to preview: {len(body):,} characters (at most {MAX_PREVIEW_CHARS:,})."
        return _fragment(f'<p class="preview-error">{message}</p>', 413)
    return _fragment(render_markdown(body), 200)


def _fragment(html: str, status: int) -> Response:
    return Response(html, status=status, mimetype="text/html")


# The other pages' routes register on ``bp`` when their modules load.
from webapp import review_proposals, review_stale  # noqa: E402

_ = review_proposals, review_stale
