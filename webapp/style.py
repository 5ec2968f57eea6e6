"""The brand owner's area: the style card replies are checked against."""

from __future__ import annotations

from importlib import resources

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from kb.users import Role
from webapp.access import roles

bp = Blueprint("style", __name__, url_prefix="/style")


@bp.get("/")
@roles(Role.BRAND_OWNER, Role.ADMIN)
def index() -> ResponseReturnValue:
    card = resources.files("config").joinpath("style_card.yaml")
    text = card.read_text("utf-8") if card.is_file() else ""
    return render_template("style/index.html", card_text=text)
