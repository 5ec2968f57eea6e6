"""Shared fixtures: real SQLite and PostgreSQL, the real app and client, named users, no network."""

from __future__ import annotations

import ipaddress
import itertools
import os
import re
import socket
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from kb.database import Database
from kb.demo import DEMO_USERS, DemoUser
from kb.tokens import TokenService
from kb.users import Role, UserService
from tests import postgres
from webapp import create_app, migrate
from webapp.context import tandem

# Real knowledge components (redactor, encoder, index, pipeline, search) for any test package,
# and the fake remote LLM (a real HTTP server on 127.0.0.1).
pytest_plugins = ("tests.components", "tests.fake_llm")

USERS: dict[Role, DemoUser] = {user.role: user for user in DEMO_USERS}


# --- no network -----------------------------------------------------------------------------


_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            is_loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            is_loopback = host == "localhost"
        if not is_loopback:
            raise ConnectionRefusedError(f"tests may not reach the network ({host})")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outbound connections fail: Tandem must work offline, and so must its tests."""
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


# --- databases ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """The maintenance URL of a throwaway PostgreSQL, or None when it cannot run here."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(postgres.running_server())
        except (FileNotFoundError, OSError, subprocess.CalledProcessError):
            if os.environ.get("CI"):
                raise  # CI must run the PostgreSQL half of the suite, not skip it
            yield None
            return
        yield url


_database_numbers = itertools.count(1)


def _fresh_postgres_database(server_url: str) -> str:
    name = f"tandem_test_{os.getpid()}_{next(_database_numbers)}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return re.sub(r"/postgres$", f"/{name}", server_url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, postgres_url: str | None) -> str:
    """Each database test runs twice: on a SQLite file and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tandem.db'}"
    if postgres_url is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed here")
    return _fresh_postgres_database(postgres_url)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A migrated database on either backend."""
    db = Database(database_url)
    migrate.upgrade(db)
    yield db
    db.dispose()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    with database.sessions() as s:
        yield s


# --- the app --------------------------------------------------------------------------------


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., Flask]:
    """Build a migrated app on a temp data dir; keyword arguments override settings."""

    def build(**overrides: Any) -> Flask:
        config: dict[str, Any] = {"data_dir": tmp_path / "var", "TESTING": True, **overrides}
        app = create_app(config)
        migrate.upgrade(tandem(app).database)
        return app

    return build


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    application = make_app()
    yield application
    tandem(application).close()


@pytest.fixture
def count_rows(app: Flask) -> Callable[[type[Any]], int]:
    """How many rows a table of the app's database holds, read in a short transaction of its
    own, so the test never holds a snapshot or a lock while the app handles a request)."""

    def count(model: type[Any]) -> int:
        with tandem(app).database.transaction() as s:
            return s.scalar(select(func.count()).select_from(model)) or 0

    return count


@pytest.fixture
def users(app: Flask) -> dict[Role, DemoUser]:
    """Alice the agent, Kiran the knowledge manager, Bea the brand owner and Ada the admin."""
    with tandem(app).database.transaction() as s:
        service = UserService(s)
        for user in DEMO_USERS:
            service.create(
                user.username,
                user.password,
                user.role,
                display_name=user.display_name,
                actor="test",
            )
    return USERS


def https_client(app: Flask) -> FlaskClient:
    """A test client speaking HTTPS, as browsers do with Secure session cookies."""
    test_client = app.test_client()
    test_client.environ_base["wsgi.url_scheme"] = "https"
    return test_client


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return https_client(app)


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token a real browser would find in the page's form."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, user: DemoUser) -> None:
    response = client.post(
        "/login",
        data={
            "username": user.username,
            "password": user.password,
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def sign_in_as(client: FlaskClient, users: dict[Role, DemoUser]) -> Callable[[Role], FlaskClient]:
    def do(role: Role) -> FlaskClient:
        sign_in(client, users[role])
        return client

    return do


@pytest.fixture
def api_token(app: Flask) -> Callable[[Role], str]:
    """Issue a bearer token acting with a role."""

    def issue(role: Role = Role.AGENT) -> str:
        with tandem(app).database.transaction() as s:
            return TokenService(s).create(f"test-{role.value}", role=role, actor="test").secret

    return issue
