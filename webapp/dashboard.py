"""The home page: what each role can do from here."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from kb.tickets import TicketStore
from kb.users import Role
from retrieval.drafts import DraftStore
from webapp.access import roles, signed_in
from webapp.context import db

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@signed_in
def home() -> ResponseReturnValue:
    return render_template("dashboard/home.html", tickets=TicketStore(db()).count())


@bp.get("/agent")
@roles(Role.AGENT, Role.ADMIN)
def agent() -> ResponseReturnValue:
    return desk_page()


def desk_page(paste_form: Any = None, status: int = 200) -> ResponseReturnValue:
    """Open tickets with each one's newest draft, and the paste form (with its errors)."""
    from webapp.forms import PasteTicketForm, TicketDraftForm

    tickets = TicketStore(db()).recent(status="open", limit=100)
    page = render_template(
        "dashboard/agent.html",
        tickets=tickets,
        drafts=DraftStore(db()).latest_for_tickets([t.external_id for t in tickets]),
        draft_form=TicketDraftForm(),
        paste_form=paste_form or PasteTicketForm(),
    )
    return page, status
