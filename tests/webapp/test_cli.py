from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy import select, text

from kb.tokens import ApiToken, TokenService
from kb.users import UserService
from webapp.cli import main
from webapp.context import tandem


def run(app: Flask, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app), input=stdin)


def test_users_create_reads_the_password_from_stdin(app: Flask) -> None:
    result = run(
        app, "users", "create", "dana", "--role", "knowledge_manager", stdin="a-long-password\n"
    )
    assert result.exit_code == 0, result.output
    assert "Created dana (knowledge_manager)." in result.output
    with tandem(app).database.transaction() as s:
        assert UserService(s).authenticate("dana", "a-long-password") is not None


def test_users_create_explains_a_weak_password_and_creates_nothing(app: Flask) -> None:
    result = run(app, "users", "create", "dana", "--role", "agent", stdin="short\n")
    assert result.exit_code == 1
    assert "password: Use at least 10 characters." in result.output
    with tandem(app).database.transaction() as s:
        assert UserService(s).find("dana") is None


def test_tokens_create_prints_the_secret_once_and_stores_its_hash(app: Flask) -> None:
    result = run(app, "tokens", "create", "zendesk")
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("tdm_")
    with tandem(app).database.transaction() as s:
        stored = s.scalars(select(ApiToken)).one()
        assert secret not in (stored.token_hash, stored.prefix)
        assert TokenService(s).authenticate(secret) is not None
    listing = run(app, "tokens", "list")
    assert "zendesk" in listing.output
    assert secret not in listing.output


def test_tokens_revoke_stops_the_token(app: Flask) -> None:
    secret = run(app, "tokens", "create", "zendesk").stdout.strip()
    assert run(app, "tokens", "revoke", "1").exit_code == 0
    with tandem(app).database.transaction() as s:
        assert TokenService(s).authenticate(secret) is None


def test_audit_verify_reports_a_row_edited_in_the_database(app: Flask) -> None:
    run(app, "users", "create", "dana", "--role", "agent", stdin="a-long-password\n")
    run(app, "tokens", "create", "zendesk")
    assert "OK: 2 entries" in run(app, "audit", "verify").output
    with tandem(app).database.engine.begin() as c:
        c.execute(text("DROP TRIGGER audit_log_no_update"))
        c.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE id = 1"))
    result = run(app, "audit", "verify")
    assert result.exit_code == 1
    assert "entry 1: content does not match its hash" in result.output


def test_settings_prints_effective_values_with_secrets_masked(
    make_app: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TANDEM_SECRET_KEY", "do-not-print-me")
    app = make_app()  # type: ignore[operator]
    result = run(app, "settings")
    assert result.exit_code == 0
    assert re.search(r"^secret_key +\*\*\*$", result.output, re.MULTILINE)
    assert "do-not-print-me" not in result.output


def test_a_bad_setting_stops_the_cli_naming_it(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "TANDEM_DATA_DIR": str(tmp_path),
        "TANDEM_MAX_REQUEST_BYTES": "huge",
    }
    result = subprocess.run(
        [sys.executable, "-m", "webapp", "settings"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Error: setting max_request_bytes (from TANDEM_MAX_REQUEST_BYTES): "
        "expected a whole number, got 'huge'"
    )
