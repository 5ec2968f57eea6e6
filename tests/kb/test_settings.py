from __future__ import annotations

from pathlib import Path

import pytest

from kb.errors import SettingsError
from kb.settings import load_settings, settings_table


def test_defaults_come_from_the_settings_table() -> None:
    settings = load_settings(environ={})
    assert settings.data_dir == Path("./var")
    assert settings.max_request_bytes == 1048576
    assert settings.effective_database_url == "sqlite:///var/tandem.db"


def test_environment_overrides_defaults_and_is_converted() -> None:
    settings = load_settings(
        environ={"TANDEM_MAX_REQUEST_BYTES": "2048", "TANDEM_SESSION_COOKIE_SECURE": "no"}
    )
    assert settings.max_request_bytes == 2048
    assert settings.session_cookie_secure is False


def test_a_secret_can_be_read_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("s3cret-from-file\n")
    settings = load_settings(environ={"TANDEM_SECRET_KEY_FILE": str(secret)})
    assert settings.secret_key == "s3cret-from-file"


def test_explicit_configuration_beats_the_environment() -> None:
    settings = load_settings({"log_level": "ERROR"}, environ={"TANDEM_LOG_LEVEL": "DEBUG"})
    assert settings.log_level == "ERROR"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"TANDEM_MAX_REQUEST_BYTES": "lots"}, "max_request_bytes (from TANDEM_MAX_REQUEST_BYTES)"),
        ({"TANDEM_MAX_REQUEST_BYTES": "10"}, "must be at least 1024"),
        ({"TANDEM_SESSION_COOKIE_SECURE": "maybe"}, "session_cookie_secure"),
        ({"TANDEM_LOG_LEVEL": "LOUD"}, "must be one of DEBUG, INFO, WARNING, ERROR"),
        ({"TANDEM_SECRET_KEY_FILE": "/nonexistent/key"}, "TANDEM_SECRET_KEY_FILE: cannot read"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_setting(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named.replace("(", r"\(").replace(")", r"\)")):
        load_settings(environ=env)


def test_secrets_are_masked_when_printed() -> None:
    settings = load_settings(
        environ={
            "TANDEM_SECRET_KEY": "hunter2hunter2",
            "TANDEM_DATABASE_URL": "postgresql+psycopg://tandem:pw123@db.internal/tandem",
        }
    )
    shown = settings.masked()
    assert shown["secret_key"] == "***"
    assert shown["database_url"] == "postgresql+psycopg://***@db.internal/tandem"
    assert "pw123" not in str(shown)


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text("utf-8")
    missing = [spec.env_name for spec in settings_table() if f"`{spec.env_name}`" not in readme]
    assert not missing, f"settings missing from the README's table: {missing}"
