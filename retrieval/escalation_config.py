"""The escalation triggers' settings (``config/escalation.yaml``), checked once at load.

Every key is validated here and turned into a frozen dataclass; a missing or bad one raises
``SettingsError`` naming the file and the key (``sla.max_minutes_with_ai.vip.chat: …``), so a
typo stops start-up instead of silently disabling a trigger.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from kb.errors import SettingsError

CHANNELS = ("email", "chat")
TRIGGERS = ("vip", "legal", "churn", "repeat_contact", "negative_sentiment", "sla")
_KEYS: dict[str, set[str]] = {
    "vip": {"enabled", "tiers"},
    "legal": {"enabled", "patterns", "unless"},
    "churn": {"enabled", "patterns", "unless", "intents", "min_intent_confidence"},
    "repeat_contact": {"enabled", "window_days", "min_contacts", "min_similarity"},
    "negative_sentiment": {"enabled", "max_score"},
    "sla": {"enabled", "statuses", "max_minutes_with_ai"},
}


@dataclass(frozen=True)
class VipConfig:
    enabled: bool
    tiers: frozenset[str]


@dataclass(frozen=True)
class PhraseConfig:
    """A trigger that fires on wording (legal, churn)."""

    enabled: bool
    patterns: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...] = ()
    intents: frozenset[str] = frozenset()
    min_intent_confidence: float = 1.0


@dataclass(frozen=True)
class RepeatConfig:
    enabled: bool
    window_days: int
    min_contacts: int
    min_similarity: float


@dataclass(frozen=True)
class SentimentConfig:
    enabled: bool
    max_score: float


@dataclass(frozen=True)
class SlaConfig:
    enabled: bool
    statuses: frozenset[str]
    max_minutes: Mapping[str, Mapping[str, int]]  # tier (or "default") → channel → minutes

    def limit(self, tier: str, channel: str) -> int | None:
        """Minutes the ticket may stay with the AI, or None when no limit covers it."""
        limits = self.max_minutes.get(tier, self.max_minutes["default"])
        return limits.get(channel, self.max_minutes["default"].get(channel))


@dataclass(frozen=True)
class EscalationConfig:
    version: int
    vip: VipConfig
    legal: PhraseConfig
    churn: PhraseConfig
    repeat_contact: RepeatConfig
    negative_sentiment: SentimentConfig
    sla: SlaConfig
    source: str = field(default="config/escalation.yaml", compare=False)


def load_escalation_config(path: Path | None = None) -> EscalationConfig:
    """The checked configuration of ``path`` (``None``: the packaged ``config/escalation.yaml``)."""
    source = str(path) if path else "config/escalation.yaml"
    try:
        text = (
            path.read_text("utf-8")
            if path
            else resources.files("config").joinpath("escalation.yaml").read_text("utf-8")
        )
        raw = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise SettingsError(f"{source}: cannot read the escalation triggers: {exc}") from exc
    return parse_escalation_config(raw, source=source)


def parse_escalation_config(raw: Any, *, source: str = "escalation config") -> EscalationConfig:
    """Check a loaded mapping; every error names ``source`` and the key."""
    check = _Checker(source)
    top = check.mapping(raw, "", {"version", *TRIGGERS}, required=("version", *TRIGGERS))
    version = check.integer(top["version"], "version", minimum=1)
    sections = {
        name: check.mapping(top[name], name, _KEYS[name], required=("enabled",))
        for name in TRIGGERS
    }
    return EscalationConfig(
        version=version,
        vip=VipConfig(
            check.boolean(sections["vip"]["enabled"], "vip.enabled"),
            frozenset(check.words(sections["vip"].get("tiers", ["vip"]), "vip.tiers")),
        ),
        legal=_phrases(check, sections["legal"], "legal"),
        churn=_phrases(check, sections["churn"], "churn"),
        repeat_contact=_repeat(check, sections["repeat_contact"]),
        negative_sentiment=SentimentConfig(
            check.boolean(sections["negative_sentiment"]["enabled"], "negative_sentiment.enabled"),
            check.number(
                sections["negative_sentiment"].get("max_score"),
                "negative_sentiment.max_score",
                low=-1.0,
                high=1.0,
            ),
        ),
        sla=_sla(check, sections["sla"]),
        source=source,
    )


def _phrases(check: _Checker, section: Mapping[str, Any], name: str) -> PhraseConfig:
    enabled = check.boolean(section["enabled"], f"{name}.enabled")
    patterns = check.patterns(section.get("patterns"), f"{name}.patterns")
    if enabled and not patterns:
        raise SettingsError(f"{check.source}: {name}.patterns: an enabled trigger needs patterns")
    confidence = section.get("min_intent_confidence", 0.5)
    return PhraseConfig(
        enabled=enabled,
        patterns=patterns,
        unless=check.patterns(section.get("unless", []), f"{name}.unless"),
        intents=frozenset(check.words(section.get("intents", []), f"{name}.intents")),
        min_intent_confidence=check.number(
            confidence, f"{name}.min_intent_confidence", low=0.0, high=1.0
        ),
    )


def _repeat(check: _Checker, section: Mapping[str, Any]) -> RepeatConfig:
    return RepeatConfig(
        enabled=check.boolean(section["enabled"], "repeat_contact.enabled"),
        window_days=check.integer(
            section.get("window_days"), "repeat_contact.window_days", minimum=1
        ),
        min_contacts=check.integer(
            section.get("min_contacts"), "repeat_contact.min_contacts", minimum=1
        ),
        min_similarity=check.number(
            section.get("min_similarity"), "repeat_contact.min_similarity", low=0.0, high=1.0
        ),
    )


def _sla(check: _Checker, section: Mapping[str, Any]) -> SlaConfig:
    key = "sla.max_minutes_with_ai"
    tiers = check.mapping(section.get("max_minutes_with_ai"), key, None, required=("default",))
    limits: dict[str, dict[str, int]] = {}
    for tier, channels in tiers.items():
        where = f"{key}.{tier}"
        by_channel = check.mapping(channels, where, set(CHANNELS), required=())
        limits[str(tier)] = {
            channel: check.integer(minutes, f"{where}.{channel}", minimum=1)
            for channel, minutes in by_channel.items()
        }
    missing = [c for c in CHANNELS if c not in limits["default"]]
    if missing:
        raise SettingsError(f"{check.source}: {key}.default: missing channels {missing}")
    return SlaConfig(
        enabled=check.boolean(section["enabled"], "sla.enabled"),
        statuses=frozenset(check.words(section.get("statuses", ["open"]), "sla.statuses")),
        max_minutes=limits,
    )


@dataclass(frozen=True)
class _Checker:
    source: str

    def fail(self, key: str, message: str) -> SettingsError:
        return SettingsError(f"{self.source}: {key or 'top level'}: {message}")

    def mapping(
        self, value: Any, key: str, allowed: set[str] | None, *, required: tuple[str, ...]
    ) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(key, f"expected a mapping, got {type(value).__name__}")
        prefix = f"{key}." if key else ""
        unknown = sorted(str(k) for k in value if allowed is not None and k not in allowed)
        if unknown:
            raise self.fail(f"{prefix}{unknown[0]}", "unknown key (a typo?)")
        for name in required:
            if name not in value:
                raise self.fail(f"{prefix}{name}", "missing")
        return dict(value)

    def boolean(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, f"expected true or false, got {value!r}")
        return value

    def integer(self, value: Any, key: str, *, minimum: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected a whole number, got {value!r}")
        if value < minimum:
            raise self.fail(key, f"must be at least {minimum}, got {value}")
        return value

    def number(self, value: Any, key: str, *, low: float, high: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"expected a number, got {value!r}")
        if not low <= value <= high:
            raise self.fail(key, f"must be between {low} and {high}, got {value}")
        return float(value)

    def words(self, value: Any, key: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(key, f"expected a list of names, got {value!r}")
        return list(value)

    def patterns(self, value: Any, key: str) -> tuple[re.Pattern[str], ...]:
        compiled = []
        for n, pattern in enumerate(self.words(value if value is not None else [], key)):
            try:
                compiled.append(re.compile(pattern, re.IGNORECASE))
            except re.error as exc:
                raise self.fail(
                    f"{key}[{n}]", f"bad regular expression {pattern!r}: {exc}"
                ) from exc
        return tuple(compiled)
