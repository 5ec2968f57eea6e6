"""Sign in, sign out, change password."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from kb.errors import InvalidInput
from kb.throttle import LoginThrottle
from kb.users import LoginSessions, UserService
from webapp.access import public, signed_in
from webapp.context import db, tandem
from webapp.forms import LoginForm, PasswordForm, attach_errors
from webapp.security import WebUser, is_safe_next

bp = Blueprint("auth", __name__)


def _throttle() -> LoginThrottle:
    settings = tandem().settings
    return LoginThrottle(
        db(),
        max_attempts=settings.login_max_attempts,
        window=timedelta(seconds=settings.login_window_seconds),
    )


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> ResponseReturnValue:
    form = LoginForm()
    next_url = request.args.get("next")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_local_or_home(next_url))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.errors else 200
    username = form.username.data.strip().lower()
    keys = [f"user:{username}", f"ip:{request.remote_addr}"]
    throttle = _throttle()
    wait = throttle.retry_after(keys)
    if wait:
        form.form_errors.append(f"Too many failed sign-ins. Try again in {wait} seconds.")
        page = render_template("auth/login.html", form=form)
        return page, 429, {"Retry-After": str(wait)}
    user = UserService(db()).authenticate(username, form.password.data)
    if user is None:
        throttle.record_failure(keys)
        db().commit()
        form.form_errors.append("Unknown user name or wrong password.")
        return render_template("auth/login.html", form=form), 401
    throttle.clear(keys[0])
    token = LoginSessions(db()).start(user)
    db().commit()
    # A fresh cookie at sign-in: nothing from before (a planted session) survives it.
    session.clear()
    login_user(WebUser(user, token))
    return redirect(_local_or_home(next_url))


@bp.route("/logout", methods=["POST"])
@signed_in
def logout() -> ResponseReturnValue:
    LoginSessions(db()).revoke(current_user.session_token)
    db().commit()
    logout_user()
    session.clear()
    flash("You are signed out.")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password() -> ResponseReturnValue:
    form = PasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/password.html", form=form), 400 if form.errors else 200
    user = UserService(db()).find(current_user.username)
    if user is None:
        abort(404)
    try:
        UserService(db()).change_password(
            user, form.current_password.data, form.new_password.data, actor=user.username
        )
    except InvalidInput as exc:
        attach_errors(form, exc)
        return render_template("auth/password.html", form=form), 422
    db().commit()
    logout_user()
    session.clear()
    flash("Password changed. Sign in with the new password.")
    return redirect(url_for("auth.login"))


def _local_or_home(next_url: str | None) -> str:
    if next_url is not None and is_safe_next(next_url):
        return next_url
    return url_for("dashboard.home")
