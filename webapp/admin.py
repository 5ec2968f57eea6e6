"""Admin pages: users and their roles, API tokens, the audit log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from kb.audit import AuditLog
from kb.errors import Conflict, InvalidInput
from kb.tokens import TokenService
from kb.users import Role, UserService
from webapp.access import roles
from webapp.context import db
from webapp.forms import ConfirmForm, RoleForm, TokenForm, UserForm, attach_errors
from webapp.security import current_actor

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _users_page(form: UserForm, status: int = 200) -> ResponseReturnValue:
    users = UserService(db()).all()
    return (
        render_template(
            "admin/users.html", users=users, form=form, role_form=RoleForm(), confirm=ConfirmForm()
        ),
        status,
    )


@bp.get("/users")
@roles(Role.ADMIN)
def users() -> ResponseReturnValue:
    return _users_page(UserForm())


@bp.post("/users")
@roles(Role.ADMIN)
def create_user() -> ResponseReturnValue:
    form = UserForm()
    if not form.validate_on_submit():
        return _users_page(form, 400)
    try:
        UserService(db()).create(
            form.username.data,
            form.password.data,
            form.role.data,
            display_name=form.display_name.data or "",
            actor=current_actor(),
        )
    except InvalidInput as exc:
        db().rollback()
        attach_errors(form, exc)
        return _users_page(form, 422)
    db().commit()
    flash(f"User {form.username.data.strip().lower()} created.")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/role")
@roles(Role.ADMIN)
def set_role(user_id: int) -> ResponseReturnValue:
    form = RoleForm()
    service = UserService(db())
    user = service.get(user_id)
    if not form.validate_on_submit():
        flash("Choose one of the listed roles.", "error")
        return redirect(url_for("admin.users")), 303
    service.set_role(user, form.role.data, actor=current_actor())
    db().commit()
    flash(f"{user.username} is now {user.role_enum.label.lower()}.")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/active")
@roles(Role.ADMIN)
def toggle_active(user_id: int) -> ResponseReturnValue:
    ConfirmForm().validate_on_submit()
    service = UserService(db())
    user = service.get(user_id)
    try:
        service.set_active(user, not user.is_active, actor=current_actor())
    except Conflict as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.users"))
    db().commit()
    flash(f"{user.username} {'reactivated' if user.is_active else 'deactivated'}.")
    return redirect(url_for("admin.users"))


@bp.get("/tokens")
@roles(Role.ADMIN)
def tokens() -> ResponseReturnValue:
    return _tokens_page(TokenForm())


def _tokens_page(
    form: TokenForm, status: int = 200, secret: str | None = None
) -> ResponseReturnValue:
    listed = TokenService(db()).all()
    page = render_template(
        "admin/tokens.html", tokens=listed, form=form, confirm=ConfirmForm(), secret=secret
    )
    return page, status


@bp.post("/tokens")
@roles(Role.ADMIN)
def create_token() -> ResponseReturnValue:
    form = TokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form, 400)
    try:
        issued = TokenService(db()).create(
            form.name.data, role=form.role.data, actor=current_actor()
        )
    except InvalidInput as exc:
        db().rollback()
        attach_errors(form, exc)
        return _tokens_page(form, 422)
    db().commit()
    # Rendered, not redirected: the secret is shown exactly once and never stored in clear.
    return _tokens_page(TokenForm(formdata=None), 201, secret=issued.secret)


@bp.post("/tokens/<int:token_id>/revoke")
@roles(Role.ADMIN)
def revoke_token(token_id: int) -> ResponseReturnValue:
    ConfirmForm().validate_on_submit()
    token = TokenService(db()).revoke(token_id, actor=current_actor())
    db().commit()
    flash(f"Token {token.name} revoked.")
    return redirect(url_for("admin.tokens"))


@bp.get("/audit")
@roles(Role.ADMIN)
def audit() -> ResponseReturnValue:
    log = AuditLog(db())
    return render_template("admin/audit.html", entries=log.entries(limit=200), report=log.verify())
