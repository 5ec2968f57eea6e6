"""Sign-in, route access, CSRF and security headers for the whole app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session

from kb.tokens import TokenService
from kb.users import LoginSessions, Role, User
from webapp.access import PUBLIC, allows, rule_for
from webapp.context import db, tandem
from webapp.problems import problem

_Found = TypeVar("_Found")

login_manager = LoginManager()
csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class WebUser(UserMixin):  # type: ignore[misc]
    """The signed-in person for flask-login; its id is the server-side session token."""

    def __init__(self, user: User, session_token: str) -> None:
        self.user = user
        self.session_token = session_token

    def get_id(self) -> str:
        return self.session_token

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def role(self) -> Role:
        return self.user.role_enum


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = None  # the server-side session row is the protection
    csrf.init_app(app)
    app.before_request(enforce_access)
    app.after_request(add_security_headers)


@login_manager.user_loader  # type: ignore[untyped-decorator]
def load_user(session_token: str) -> WebUser | None:
    idle_limit = timedelta(minutes=tandem().settings.session_lifetime_minutes)
    user = _look_up(
        lambda session: LoginSessions(session).resolve(session_token, idle_limit=idle_limit)
    )
    return WebUser(user, session_token) if user is not None else None


def _look_up(read: Callable[[Session], _Found]) -> _Found:
    """Run a credential lookup that may write (a last-used time, an idle session's revocation).

    Most lookups only read. One that writes is run again in a write transaction of its own:
    on SQLite the request's deferred transaction cannot upgrade to the write lock while another
    request writes (it fails at once with "database is locked" instead of waiting). Then it is
    read once more, so the view starts from a fresh snapshot that includes the write.
    """
    session = db()
    found = read(session)
    if not (session.dirty or session.new or session.deleted):
        session.commit()
        return found
    session.rollback()
    with tandem().database.transaction() as writer:
        read(writer)
    found = read(session)
    session.commit()
    return found


def current_role() -> Role | None:
    """The caller's role: the API token's for API routes, the signed-in user's for pages."""
    if request.blueprint == "api":
        token = g.get("api_token")
        return token.role_enum if token is not None else None
    return current_user.role if current_user.is_authenticated else None


def current_actor() -> str:
    """How the audit log names the caller."""
    if request.blueprint == "api" and g.get("api_token") is not None:
        return f"token:{g.api_token.name}"
    return str(current_user.username) if current_user.is_authenticated else "anonymous"


def enforce_access() -> ResponseReturnValue | None:
    """Run each route's access rule before its view; unknown routes fall through to 404."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    rule = rule_for(tandem_view(request.endpoint))
    if rule is None or rule == PUBLIC:
        return None
    if request.blueprint == "api":
        _authenticate_bearer()
        if g.get("api_token") is None:
            response = problem(401, "A valid bearer token is required.")
            response.headers["WWW-Authenticate"] = 'Bearer realm="tandem"'
            return response
        if not allows(rule, current_role()):
            return problem(403, "This token's role may not use this endpoint.")
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not allows(rule, current_role()):
        abort(403)
    return None


def tandem_view(endpoint: str) -> Callable[..., Any]:
    return current_app.view_functions[endpoint]


def _authenticate_bearer() -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return
    g.api_token = _look_up(lambda session: TokenService(session).authenticate(secret.strip()))


def is_safe_next(target: str | None) -> bool:
    """Only local paths may be redirect targets after sign-in (no open redirects)."""
    if not target:
        return False
    parts = urlsplit(target)
    return (
        not parts.scheme
        and not parts.netloc
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    )


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint != "static":
        # Pages show customer and account data: never keep them in shared or browser caches.
        headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
