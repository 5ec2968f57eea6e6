"""The home page: what each role can do from here."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from kb.tickets import TicketStore
from kb.users import Role
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
    from webapp.forms import PasteTicketForm, TicketDraftForm

    store = TicketStore(db())
    return render_template(
        "dashboard/agent.html",
        tickets=store.recent(status="open", limit=100),
        draft_form=TicketDraftForm(),
        paste_form=PasteTicketForm(),
    )
