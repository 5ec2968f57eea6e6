"""Tandem's web app: ``create_app(config)`` builds it; there is no module-level app."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask

from kb.database import Database
from kb.settings import Settings, ensure_secret_key, load_settings
from webapp import access, problems, security
from webapp.context import Tandem, close_db
from webapp.navigation import navigation


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` holds setting names (lowercase) and Flask keys (UPPERCASE)."""
    config = dict(config or {})
    settings = load_settings({k: v for k, v in config.items() if not k.isupper()})
    configure_logging(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=ensure_secret_key(settings),
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        SESSION_COOKIE_NAME="tandem_session",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.session_lifetime_minutes),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session it is bound to
        JSON_SORT_KEYS=False,
    )
    app.config.update({k: v for k, v in config.items() if k.isupper()})
    app.extensions["tandem"] = Tandem(
        settings=settings, database=Database(settings.effective_database_url)
    )
    app.teardown_appcontext(close_db)
    security.init_app(app)
    problems.init_app(app)
    _register_blueprints(app)
    app.context_processor(lambda: {"nav": navigation(app)})
    access.check_every_view_has_a_rule(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from webapp import admin, admin_knowledge, agent_desk, auth, dashboard, review, style
    from webapp.api import bp as api_bp

    _ = admin_knowledge, agent_desk  # their routes live on the admin and dashboard blueprints
    for module in (auth, dashboard, admin, review, style):
        app.register_blueprint(module.bp)
    app.register_blueprint(api_bp)
    # The API authenticates with bearer tokens, never cookies, so cross-site forms cannot use it.
    security.csrf.exempt(api_bp)


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger().setLevel(settings.log_level)
