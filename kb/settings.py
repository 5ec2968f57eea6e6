"""Settings: one table (``config/default.toml``) of name, type, default and help.

Values come, lowest precedence first, from the table's defaults, ``TANDEM_<NAME>`` environment
variables (or ``TANDEM_<NAME>_FILE`` holding the value, for secrets), and finally the mapping passed
to ``load_settings`` (tests and ``create_app(config)``). Every value is converted and checked once,
here, so a bad one stops start-up with the setting's name instead of failing later.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from kb.errors import SettingsError

ENV_PREFIX = "TANDEM_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class SettingSpec:
    """One row of the settings table."""

    name: str
    type: str
    default: Any
    help: str
    secret: bool = False
    choices: tuple[str, ...] = ()
    min: float | None = None

    @property
    def env_name(self) -> str:
        return ENV_PREFIX + self.name.upper()


@dataclass(frozen=True)
class Settings:
    """The effective settings; field names match the table's rows exactly."""

    data_dir: Path
    database_url: str
    secret_key: str
    max_request_bytes: int
    session_cookie_secure: bool
    session_lifetime_minutes: int
    login_max_attempts: int
    login_window_seconds: int
    log_level: str
    embedding_model: str
    embedding_base_url: str
    embedding_server_model: str
    embedding_api_key: str
    embedding_timeout_seconds: float
    qdrant_url: str
    qdrant_api_key: str
    qdrant_collection: str
    qdrant_shards: int
    qdrant_replicas: int
    max_document_bytes: int
    pii_policy: str
    llm_provider: str
    llm_base_url: str
    llm_model: str
    llm_api_key: str
    llm_timeout_seconds: float
    llm_max_tokens: int
    llm_temperature: float
    llm_context_window: int
    review_interval_days: int
    style_regex_timeout_ms: int

    @property
    def index_dir(self) -> Path:
        """The embedded Qdrant Edge shard's folder."""
        return self.data_dir / "qdrant"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'tandem.db'}"

    def masked(self) -> dict[str, str]:
        """Every setting as text, secrets replaced so they can be printed or logged."""
        shown: dict[str, str] = {}
        for spec in settings_table():
            value = getattr(self, spec.name)
            shown[spec.name] = _mask(spec, value)
        return shown


def settings_table() -> list[SettingSpec]:
    """The table of settings, read from the packaged ``config/default.toml``."""
    raw = tomllib.loads(resources.files("config").joinpath("default.toml").read_text("utf-8"))
    table = [
        SettingSpec(
            name=name,
            type=row["type"],
            default=row["default"],
            help=row["help"],
            secret=bool(row.get("secret", False)),
            choices=tuple(row.get("choices", ())),
            min=row.get("min"),
        )
        for name, row in raw.items()
    ]
    fields = {f.name for f in dataclasses.fields(Settings)}
    names = {spec.name for spec in table}
    if fields != names:
        # A programming error, not a user's: the table and the dataclass must list the same rows.
        raise SettingsError(f"settings table and Settings disagree: {sorted(fields ^ names)}")
    return table


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build the effective settings; raise SettingsError naming the first bad setting."""
    environ = os.environ if environ is None else environ
    overrides = {k.lower(): v for k, v in (overrides or {}).items()}
    values: dict[str, Any] = {}
    for spec in settings_table():
        if spec.name in overrides:
            raw, origin = overrides[spec.name], "configuration"
        elif spec.env_name in environ:
            raw, origin = environ[spec.env_name], spec.env_name
        elif spec.env_name + "_FILE" in environ:
            raw, origin = _read_secret_file(spec, environ[spec.env_name + "_FILE"])
        else:
            raw, origin = spec.default, "default"
        values[spec.name] = _convert(spec, raw, origin)
    _check_llm(values)
    _check_embedding(values)
    return Settings(**values)


def _check_llm(values: Mapping[str, Any]) -> None:
    """An LLM provider needs somewhere to send the prompt and a model to ask for."""
    if values["llm_provider"] == "none":
        return
    for name in ("llm_base_url", "llm_model"):
        if not str(values[name]).strip():
            raise SettingsError(
                f"setting {name}: required when llm_provider is {values['llm_provider']}"
            )


def _check_embedding(values: Mapping[str, Any]) -> None:
    """An embedding server needs an address and the name of the model to ask for."""
    if values["embedding_model"] != "openai-compatible":
        return
    for name in ("embedding_base_url", "embedding_server_model"):
        if not str(values[name]).strip():
            raise SettingsError(
                f"setting {name}: required when embedding_model is openai-compatible"
            )


def ensure_secret_key(settings: Settings) -> str:
    """The configured secret key, or one generated once and kept in the data directory."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret_key"
    if path.exists():
        return path.read_text("utf-8").strip()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Create with 0600 from the start so the key is never readable by others, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def _read_secret_file(spec: SettingSpec, filename: str) -> tuple[str, str]:
    origin = spec.env_name + "_FILE"
    try:
        return Path(filename).read_text("utf-8").strip(), origin
    except OSError as exc:
        raise SettingsError(f"{origin}: cannot read {filename}: {exc.strerror}") from exc


def _convert(spec: SettingSpec, raw: Any, origin: str) -> Any:
    where = f"setting {spec.name} (from {origin})"
    if spec.type == "str":
        return str(raw)
    if spec.type == "path":
        return Path(str(raw)).expanduser()
    if spec.type == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise SettingsError(f"{where}: expected true or false, got {raw!r}")
    if spec.type == "int":
        try:
            number = int(str(raw).strip()) if not isinstance(raw, int) else raw
        except ValueError:
            raise SettingsError(f"{where}: expected a whole number, got {raw!r}") from None
        if spec.min is not None and number < spec.min:
            raise SettingsError(f"{where}: must be at least {spec.min}, got {number}")
        return number
    if spec.type == "float":
        try:
            real = float(str(raw).strip()) if not isinstance(raw, int | float) else float(raw)
        except ValueError:
            raise SettingsError(f"{where}: expected a number, got {raw!r}") from None
        if spec.min is not None and real < spec.min:
            raise SettingsError(f"{where}: must be at least {spec.min}, got {real}")
        return real
    if spec.type == "choice":
        text = str(raw).strip()
        if text not in spec.choices:
            raise SettingsError(f"{where}: must be one of {', '.join(spec.choices)}, got {raw!r}")
        return text
    raise SettingsError(f"setting {spec.name}: unknown type {spec.type!r} in the settings table")


def _mask(spec: SettingSpec, value: Any) -> str:
    text = str(value)
    if not spec.secret or not text:
        return text
    if "://" in text and "@" in text:
        # Keep a URL readable (driver, host, database) but hide the credentials.
        scheme, rest = text.split("://", 1)
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    if "://" in text:
        return text
    return "***"
