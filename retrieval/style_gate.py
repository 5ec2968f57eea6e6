"""The style card as drafting sees it: the voice to write in, and the review of a reply."""

from __future__ import annotations

from typing import Any

from kb.database import Database
from retrieval.composer import Voice
from styleguide.author_patterns import DEFAULT_TIMEOUT_MS
from styleguide.card import CompiledCard
from styleguide.checker import check
from styleguide.findings import CheckContext
from styleguide.versions import StyleCardService

CONDITIONAL = "conditional"


class CardStyleGate:
    """Reads the current published card on each call (a publish takes effect at once)."""

    def __init__(self, database: Database, *, regex_timeout_ms: float = DEFAULT_TIMEOUT_MS) -> None:
        self.database = database
        # A card's own regex that runs longer on a reply is skipped there, never holds a draft.
        self.regex_timeout_ms = regex_timeout_ms

    def _current(self) -> tuple[int, CompiledCard] | None:
        # A read, in one query: a write transaction would take SQLite's write lock for nothing.
        with self.database.sessions() as session:
            service = StyleCardService(session)
            version = service.current_version()
            return None if version is None else (version.number, service.compiled(version))

    def voice(self, channel: str = "email", tier: str = "standard") -> Voice:
        current = self._current()
        if current is None:
            return Voice()
        _, card = current
        greetings: dict[str, str] = {}
        signoffs: dict[str, str] = {}
        # Closing lines the card requires (a feedback request, say) are conditional rules:
        # ``review`` reports them missing and the drafting service adds them.
        for ch in ("email", "chat"):
            for spec in card.context_specs[(ch, tier)].values():
                preferred = spec.get("preferred") or {}
                if spec["section"] == "greetings" and preferred.get(ch):
                    greetings[ch] = preferred[ch][0]
                elif spec["section"] == "signoffs":
                    signoffs[ch] = preferred[ch][0] if preferred.get(ch) else ""
        return Voice(greetings=greetings or Voice().greetings, signoffs=signoffs)

    def review(
        self, text: str, *, channel: str, tier: str, intent: str | None, customer_name: str | None
    ) -> tuple[int | None, list[dict[str, Any]], list[str]]:
        current = self._current()
        if current is None:
            return None, [], []
        version, card = current
        context = CheckContext(
            channel=channel, tier=tier, intent=intent, customer_name=customer_name
        )
        findings = check(card, text, context, regex_timeout_ms=self.regex_timeout_ms)
        missing = []
        for finding in findings:
            rule = card.rule(channel, tier, finding.rule)
            if rule is not None and rule.family == CONDITIONAL and finding.suggestion:
                missing.append(finding.suggestion)
        return version, [f.to_json() for f in findings], missing
