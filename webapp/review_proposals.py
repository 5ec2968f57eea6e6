"""A proposal's page (evidence, diff, editor) and its actions: start, assign, edit, approve,
reject, publish. Every action sends the ``lock_version`` the reviewer saw; a stale one changes
nothing and says so (409), so two reviewers never overwrite each other."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from kb.documents import DocumentStore
from kb.errors import InvalidInput
from review.interfaces import StaleProposal
from review.proposals import APPROVED, PUBLISHED, STALE, RefreshProposal
from review.queue import get_proposal, proposal_diff
from review.signals import SIGNAL_LABELS
from webapp.access import roles
from webapp.context import db, tandem
from webapp.forms import attach_errors
from webapp.markdown import render_markdown
from webapp.review import REVIEWERS, bp
from webapp.review_forms import EditForm, ProposalActionForm, RejectForm
from webapp.security import current_actor, current_role

CONFLICT = (
    "Someone else changed this proposal after you opened it, so nothing was changed. "
    "Reload the page to see their changes"
)


@bp.get("/proposals/<int:proposal_id>")
@roles(*REVIEWERS)
def proposal(proposal_id: int) -> ResponseReturnValue:
    return _proposal_page(proposal_id)


def _proposal_page(
    proposal_id: int,
    *,
    posted: ProposalActionForm | None = None,
    conflict: bool = False,
    status: int = 200,
) -> ResponseReturnValue:
    """The page; after a refused action, ``posted`` is shown again with its errors (and, on a
    conflict, every form keeps the version the reviewer saw, so nothing goes through unseen)."""
    session = db()
    found = get_proposal(session, proposal_id)
    shown = posted.expected_version.data if posted is not None else found.lock_version
    forms: dict[str, Any] = {
        "edit": EditForm(formdata=None, title=found.title, body=found.body),
        "reject": RejectForm(formdata=None),
        "action": ProposalActionForm(formdata=None),
    }
    if posted is not None:
        forms[_form_key(posted)] = posted
    for form in forms.values():
        form.expected_version.data = shown
    document = DocumentStore(session).get(found.doc_id)
    page = render_template(
        "review/proposal.html",
        proposal=found,
        document=document,
        diff=proposal_diff(session, found),
        body_html=render_markdown(forms["edit"].body.data or ""),
        signal_labels=SIGNAL_LABELS,
        conflict=conflict,
        conflict_message=CONFLICT,
        **forms,
    )
    return page, status


def _form_key(form: ProposalActionForm) -> str:
    if isinstance(form, EditForm):
        return "edit"
    return "reject" if isinstance(form, RejectForm) else "action"


def _act(
    proposal_id: int, action: str, form: ProposalActionForm, **fields: str | None
) -> RefreshProposal | ResponseReturnValue:
    """Run one transition; on refusal, the page again with the reason (and nothing changed)."""
    if not form.validate_on_submit():
        # The version is a hidden field: say its error above the form, where it shows.
        form.form_errors.extend(form.expected_version.errors)
        return _proposal_page(proposal_id, posted=form, status=422)
    role = current_role()
    try:
        return (
            tandem()
            .refresh()
            .transition(
                proposal_id,
                action,
                expected_version=form.version,
                actor=current_actor(),
                actor_role=role.value if role else None,
                **fields,
            )
        )
    except StaleProposal:
        return _proposal_page(proposal_id, posted=form, conflict=True, status=409)
    except InvalidInput as exc:  # a missing reason, an action the state does not allow
        attach_errors(form, exc)
        return _proposal_page(proposal_id, posted=form, status=422)


def _done(result: RefreshProposal | ResponseReturnValue, message: str) -> ResponseReturnValue:
    if not isinstance(result, RefreshProposal):
        return result
    flash(message)
    return redirect(url_for("review.proposal", proposal_id=result.id), 303)


@bp.post("/proposals/<int:proposal_id>/start")
@roles(*REVIEWERS)
def start_review(proposal_id: int) -> ResponseReturnValue:
    result = _act(proposal_id, "start_review", ProposalActionForm())
    return _done(result, "You are reviewing this proposal.")


@bp.post("/proposals/<int:proposal_id>/assign")
@roles(*REVIEWERS)
def assign_to_me(proposal_id: int) -> ResponseReturnValue:
    result = _act(proposal_id, "assign", ProposalActionForm(), assignee=current_user.username)
    return _done(result, "The proposal is assigned to you.")


@bp.post("/proposals/<int:proposal_id>/edit")
@roles(*REVIEWERS)
def save_edit(proposal_id: int) -> ResponseReturnValue:
    form = EditForm()
    result = _act(proposal_id, "edit", form, title=form.title.data, body=form.body.data)
    return _done(result, "Your edit is saved.")


@bp.post("/proposals/<int:proposal_id>/reject")
@roles(*REVIEWERS)
def reject(proposal_id: int) -> ResponseReturnValue:
    form = RejectForm()
    result = _act(proposal_id, "reject", form, reason=form.reason.data)
    return _done(result, "Rejected: the proposal will not be published.")


@bp.post("/proposals/<int:proposal_id>/approve")
@roles(*REVIEWERS)
def approve(proposal_id: int) -> ResponseReturnValue:
    return _published(_act(proposal_id, "approve", ProposalActionForm()))


@bp.post("/proposals/<int:proposal_id>/publish")
@roles(*REVIEWERS)
def publish(proposal_id: int) -> ResponseReturnValue:
    return _published(_act(proposal_id, "publish", ProposalActionForm()))


def _published(result: RefreshProposal | ResponseReturnValue) -> ResponseReturnValue:
    if not isinstance(result, RefreshProposal):
        return result
    if (
        result.state == PUBLISHED
        and result.kind == STALE
        and (result.published_version == result.base_version)
    ):
        # An unchanged stale flag verifies the live version rather than publishing a new one.
        message = f"Approved: version {result.published_version} is verified as still right."
        return _done(result, message)
    if result.state == PUBLISHED:
        message = f"Approved and published as version {result.published_version}."
        return _done(result, message)
    if result.state == APPROVED and result.publish_error:
        # Decided by the domain: approval stands and publishing can be retried.
        flash(f"Approved, but not published yet: {result.publish_error}", "error")
        return redirect(url_for("review.proposal", proposal_id=result.id), 303)
    return _done(result, "Approved.")
