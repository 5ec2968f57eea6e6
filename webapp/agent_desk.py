"""The agent desk: draft a reply for an open ticket (or a pasted one), read the cited passages,
and accept, edit or escalate in one step. Routes live on the dashboard blueprint."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from kb.documents import Chunk
from kb.errors import Conflict, InvalidInput
from kb.tickets import TicketStore
from kb.users import Role
from retrieval.decisions import DecisionInput
from retrieval.drafts import Draft, DraftStore
from webapp.access import roles
from webapp.context import db, tandem
from webapp.dashboard import bp, desk_page
from webapp.forms import DecisionForm, PasteTicketForm, TicketDraftForm, attach_errors
from webapp.security import current_actor

AGENTS = (Role.AGENT, Role.ADMIN)


@bp.post("/agent/drafts")
@roles(*AGENTS)
def new_draft() -> ResponseReturnValue:
    stored, pasted = TicketDraftForm(), PasteTicketForm()
    if "ticket_id" in request.form:
        if not stored.validate_on_submit():
            abort(400)
        ticket = _stored_ticket(stored.ticket_id.data)
    else:
        if not pasted.validate_on_submit():
            return desk_page(pasted, 400)
        ticket = {
            "id": f"pasted-{uuid.uuid4().hex[:8]}",
            "channel": pasted.channel.data,
            "subject": pasted.subject.data or "",
            "body": pasted.body.data,
            "customer": {"name": pasted.customer_name.data or "", "tier": pasted.tier.data},
        }
    agent_name = _first_name(current_actor())
    db().commit()  # end the request's transaction before the drafting service writes
    draft = tandem().drafts().draft_reply(ticket, actor=current_actor(), agent_name=agent_name)
    return redirect(url_for("dashboard.draft", draft_id=draft.id))


def _stored_ticket(ticket_id: str) -> dict[str, object]:
    row = TicketStore(db()).get(ticket_id)
    if row is None:
        abort(404)
    customer = row.customer
    return {
        "id": row.external_id,
        "channel": row.channel,
        "subject": row.subject,
        "body": row.body,
        "created_at": row.created_at,
        "customer": (
            {
                "id": customer.external_id,
                "name": customer.name,
                "email": customer.email,
                "tier": customer.tier,
            }
            if customer
            else {}
        ),
        "history": row.details.get("history", []),
    }


def _first_name(username: str) -> str:
    from kb.users import UserService

    user = UserService(db()).find(username)
    name = user.display_name if user else username
    return name.split()[0] if name else ""


@bp.get("/agent/drafts/<draft_id>")
@roles(*AGENTS)
def draft(draft_id: str) -> ResponseReturnValue:
    found = DraftStore(db()).get(draft_id)
    if found is None:
        abort(404)
    return _draft_page(found, DecisionForm(final_text=found.text))


def _draft_page(found: Draft, form: DecisionForm, status: int = 200) -> ResponseReturnValue:
    """The draft next to what the customer wrote (the stored ticket, as the helpdesk sent it;
    a pasted ticket is not stored, so its redacted summary in the handoff package stands in)."""
    page = render_template(
        "dashboard/draft.html",
        draft=found,
        doc=found.document,
        form=form,
        ticket=TicketStore(db()).get(found.ticket_ref),
    )
    return page, status


@bp.post("/agent/drafts/<draft_id>/decision")
@roles(*AGENTS)
def decide(draft_id: str) -> ResponseReturnValue:
    form = DecisionForm()
    found = DraftStore(db()).get(draft_id)
    if found is None:
        abort(404)
    if not form.validate_on_submit():
        return _draft_page(found, form, 400)
    action = form.action.data
    final_text = form.final_text.data if action == "edit" else None
    db().commit()
    try:
        tandem().decisions().decide(
            draft_id,
            DecisionInput(action, final_text, form.note.data or None),
            actor=current_actor(),
        )
    except InvalidInput as exc:
        attach_errors(form, exc)
        return _draft_page(found, form, 422)
    except Conflict as exc:
        flash(str(exc), "error")
        return redirect(url_for("dashboard.draft", draft_id=draft_id)), 303
    flash(
        {
            "accept": "Draft accepted.",
            "edit": "Your edited reply was recorded.",
            "escalate": "Escalated to a human specialist.",
        }[action]
    )
    return redirect(url_for("dashboard.draft", draft_id=draft_id))


@bp.get("/agent/passages/<chunk_id>")
@roles(*AGENTS)
def passage(chunk_id: str) -> ResponseReturnValue:
    from sqlalchemy import select

    chunk = db().scalar(select(Chunk).where(Chunk.chunk_id == chunk_id))
    if chunk is None:
        abort(404)
    start = request.args.get("start", type=int) or 0
    end = request.args.get("end", type=int) or 0
    if not 0 <= start <= end <= len(chunk.text):
        start = end = 0
    text = chunk.text
    return render_template(
        "dashboard/passage.html",
        chunk=chunk,
        document=chunk.version.document,
        before=text[:start],
        marked=text[start:end],
        after=text[end:],
    )
