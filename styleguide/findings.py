"""What a check is given (``CheckContext``) and what it reports (``StyleFinding``, ``Fix``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "suggestion"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "suggestion")
# A violation: the reply breaks the rule there. Skipped: the rule could not be checked on this
# reply (its pattern ran past the time limit), so a person should read the reply for it.
FindingKind = Literal["violation", "skipped"]
FINDING_KINDS: tuple[FindingKind, ...] = ("violation", "skipped")
CHANNELS = ("email", "chat")
TIERS = ("free", "standard", "premium", "vip")


@dataclass(frozen=True, slots=True)
class CheckContext:
    """Who the reply is for: overrides, greetings and conditional disclaimers depend on it."""

    channel: str = "email"
    tier: str = "standard"
    intent: str | None = None
    customer_name: str | None = None
    agent_name: str | None = None

    @property
    def customer_first_name(self) -> str | None:
        return _first_name(self.customer_name)

    @property
    def agent_first_name(self) -> str | None:
        return _first_name(self.agent_name)


def _first_name(name: str | None) -> str | None:
    parts = (name or "").split()
    return parts[0] if parts else None


@dataclass(frozen=True, slots=True)
class Fix:
    """Replace ``text[start:end]`` with ``replacement``; a ``safe`` fix needs no review."""

    start: int
    end: int
    replacement: str
    safe: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "replacement": self.replacement,
            "safe": self.safe,
        }


@dataclass(frozen=True, slots=True)
class StyleFinding:
    """One place where a reply breaks one rule of the card."""

    rule: str
    severity: Severity
    start: int
    end: int
    message: str
    suggestion: str | None = None
    fix: Fix | None = None
    kind: FindingKind = "violation"

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "kind": self.kind,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "message": self.message,
            "suggestion": self.suggestion,
            "fix": self.fix.to_json() if self.fix else None,
        }
