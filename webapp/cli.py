"""The ``tandem`` command: thin wrappers over the services, through Flask's click integration."""

from __future__ import annotations

import gc
import getpass
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from kb.audit import AuditLog
from kb.demo import DEMO_ACTOR, DEMO_USERS, DemoReport, articles_dir, seed_tickets, seed_users
from kb.errors import (
    IndexUnavailable,
    InvalidInput,
    RedactorUnavailable,
    SettingsError,
    TandemError,
)
from kb.settings import settings_table
from kb.tokens import TokenService
from kb.users import Role, UserService
from styleguide.demo import seed_demo_card
from webapp import create_app, migrate
from webapp.context import tandem

ROLE_NAMES = [role.value for role in Role]


def _create_app() -> Flask:
    try:
        return create_app()
    except SettingsError as exc:
        # A configuration mistake, not a crash: one clear line naming the setting.
        click.secho(f"Error: {exc}", fg="red", err=True)
        sys.exit(2)


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def main() -> None:
    """Tandem: cited drafts, style checks and knowledge refresh for support teams."""


def _fail(message: str) -> None:
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(1)


def _require_current_schema() -> None:
    if not migrate.is_current(tandem().database):
        _fail("the database schema is not up to date; run `tandem db upgrade` first.")


# --- settings -------------------------------------------------------------------------------


@main.command("settings")
@with_appcontext
def settings_command() -> None:
    """Print the effective settings, secrets masked."""
    shown = tandem().settings.masked()
    width = max(len(name) for name in shown)
    for spec in settings_table():
        click.echo(f"{spec.name:<{width}}  {shown[spec.name]}")


# --- serve ----------------------------------------------------------------------------------


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=int, help="Worker threads.")
@with_appcontext
def serve_command(host: str, port: int, threads: int) -> None:
    """Serve Tandem on a production WSGI server (waitress)."""
    _require_current_schema()
    serve(current_app._get_current_object(), host=host, port=port, threads=threads)  # type: ignore[attr-defined]


def serve(app: Flask, *, host: str, port: int, threads: int = 8) -> None:
    import waitress

    with app.app_context():
        try:
            # Claim the embedded index now: the server must own it before a CLI job can, and
            # the first request should not pay for loading the models.
            tandem().search()
            tandem().redactor()
        except (IndexUnavailable, RedactorUnavailable, SettingsError) as exc:
            _fail(str(exc))  # e.g. the configured embedding server does not answer
    # The models live as long as the process: out of the collector's sight, each full
    # collection stays short (otherwise 150-250 ms, a few per hundred drafts).
    gc.freeze()

    click.echo(f"Tandem is serving on http://{host}:{port}/  (Ctrl+C stops it)")
    waitress.serve(app, host=host, port=port, threads=threads, ident="tandem")


# --- db -------------------------------------------------------------------------------------


@main.group("db")
def db_group() -> None:
    """Database schema migrations."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Create or upgrade the database schema to the newest version."""
    database = tandem().database
    migrate.upgrade(database)
    click.echo(f"Database at revision {migrate.current_revision(database)}.")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Print the schema revision and whether it is the newest."""
    database = tandem().database
    current, head = migrate.current_revision(database), migrate.head_revision(database)
    click.echo(f"current {current or '(empty)'}, newest {head}")


# --- users ----------------------------------------------------------------------------------


@main.group("users")
def users_group() -> None:
    """Manage the people who sign in to the web app."""


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != first:
            _fail("the passwords differ.")
        return first
    return sys.stdin.readline().rstrip("\r\n")


@users_group.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLE_NAMES), required=True, help="The user's role.")
@click.option("--display-name", default="", help="Name shown in the app (defaults to NAME).")
@with_appcontext
def users_create(name: str, role: str, display_name: str) -> None:
    """Create user NAME; the password is read from stdin, or prompted for on a terminal."""
    _require_current_schema()
    password = _read_password()
    with tandem().database.transaction() as session:
        try:
            user = UserService(session).create(
                name, password, role, display_name=display_name, actor="cli"
            )
        except InvalidInput as exc:
            _fail("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items()) or str(exc))
        click.echo(f"Created {user.username} ({user.role}).")


@users_group.command("list")
@with_appcontext
def users_list() -> None:
    """List users and roles."""
    with tandem().database.transaction() as session:
        for user in UserService(session).all():
            state = "" if user.is_active else "  (deactivated)"
            click.echo(f"{user.username:<24} {user.role:<18}{state}")


# --- tokens ---------------------------------------------------------------------------------


@main.group("tokens")
def tokens_group() -> None:
    """Manage API bearer tokens."""


@tokens_group.command("create")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(ROLE_NAMES),
    default=Role.AGENT.value,
    show_default=True,
    help="The role the token acts with.",
)
@with_appcontext
def tokens_create(name: str, role: str) -> None:
    """Create an API token called NAME and print it once (it is stored hashed)."""
    _require_current_schema()
    with tandem().database.transaction() as session:
        try:
            issued = TokenService(session).create(name, role=role, actor="cli")
        except InvalidInput as exc:
            _fail("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items()))
        click.echo(issued.secret)
    click.echo(f"Token {name!r} ({role}) created. It is not shown again.", err=True)


@tokens_group.command("list")
@with_appcontext
def tokens_list() -> None:
    """List tokens with their last-used time."""
    with tandem().database.transaction() as session:
        for token in TokenService(session).all():
            used = (
                token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else "never"
            )
            state = "active" if token.is_active else "revoked"
            click.echo(
                f"{token.id:>4}  {token.name:<24} {token.role:<18} {state:<8} last used {used}"
            )


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def tokens_revoke(token_id: int) -> None:
    """Revoke the token with TOKEN_ID (see `tandem tokens list`)."""
    with tandem().database.transaction() as session:
        try:
            token = TokenService(session).revoke(token_id, actor="cli")
        except TandemError as exc:
            _fail(str(exc))
        click.echo(f"Revoked {token.name}.")


# --- audit ----------------------------------------------------------------------------------


@main.group("audit")
def audit_group() -> None:
    """The append-only audit log."""


@audit_group.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Check the hash chain; report the first broken entry and exit 1 if there is one."""
    with tandem().database.transaction() as session:
        report = AuditLog(session).verify()
    if report.ok:
        click.echo(f"OK: {report.checked} entries, chain intact.")
        return
    intact = f"{report.checked} entries before it are intact"
    _fail(f"entry {report.broken_id}: {report.reason} ({intact}).")


# --- demo -----------------------------------------------------------------------------------


@main.command("demo")
@click.option("--no-serve", is_flag=True, help="Seed only; do not start the server.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def demo_command(no_serve: bool, host: str, port: int) -> None:
    """Seed the demo company Fernhill (idempotent), then serve it unless --no-serve."""
    database = tandem().database
    migrate.upgrade(database)
    report = DemoReport()
    with database.transaction() as session:
        seed_users(session, report)
        seed_tickets(session, report)
        seeded_card = seed_demo_card(session, actor=DEMO_ACTOR)
    click.echo(
        f"Demo company Fernhill: {len(report.users_created)} users created, "
        f"{report.tickets_new} new of {report.tickets_seen} tickets."
    )
    if seeded_card is not None:
        click.echo(f"Style card: version {seeded_card.number} published from the demo card.")
    try:
        knowledge = tandem().pipeline().ingest(Path(str(articles_dir())), actor=DEMO_ACTOR)
    except (IndexUnavailable, RedactorUnavailable) as exc:
        _fail(str(exc))
    click.echo(
        f"Knowledge: {knowledge.new} new, {knowledge.changed} changed, "
        f"{knowledge.unchanged} unchanged, {knowledge.refused} refused (unapproved drafts); "
        f"{knowledge.chunks} chunks indexed."
    )
    _seed_refresh_queue()
    click.echo("Demo logins (user / password / role):")
    for user in DEMO_USERS:
        click.echo(f"  {user.username:<8} {user.password:<20} {user.role.value}")
    if not no_serve:
        serve(current_app._get_current_object(), host=host, port=port)  # type: ignore[attr-defined]


def _seed_refresh_queue() -> None:
    """The demo's resolved tickets, reported resolved and scanned: the review queue's content."""
    from review.demo import seed_resolutions

    try:
        recorded = seed_resolutions(tandem().database, tandem().redactor())
        report = tandem().refresh().scan(actor=DEMO_ACTOR)
    except (IndexUnavailable, RedactorUnavailable) as exc:
        _fail(str(exc))
    click.echo(f"Refresh: {recorded} resolved tickets recorded. {report.summary()}")


def _register_area_commands() -> None:
    from webapp.cli_knowledge import index_group, ingest_command
    from webapp.cli_refresh import refresh_group
    from webapp.cli_search import search_command
    from webapp.cli_style import style_group

    main.add_command(refresh_group)
    main.add_command(ingest_command)
    main.add_command(index_group)
    main.add_command(search_command)
    main.add_command(style_group)


_register_area_commands()
