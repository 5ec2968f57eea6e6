"""The knowledge manager's area: resolved tickets waiting to feed the knowledge-refresh queue."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from kb.tickets import TicketStore
from kb.users import Role
from webapp.access import roles
from webapp.context import db

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.get("/")
@roles(Role.KNOWLEDGE_MANAGER, Role.ADMIN)
def index() -> ResponseReturnValue:
    store = TicketStore(db())
    return render_template(
        "review/index.html",
        resolved=store.recent(status="resolved", limit=50),
        resolved_count=store.count(status="resolved"),
    )
