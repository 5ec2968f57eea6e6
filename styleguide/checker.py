"""The checker, ``check(card, text, context)``, and the card validation that runs each rule's
good and bad examples through it, so a card whose examples disagree with its rules is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kb.errors import InvalidInput
from styleguide.author_patterns import DEFAULT_TIMEOUT_MS, PatternTimeout
from styleguide.card import BaseLoader, CompiledCard, compiled, content_hash, packaged_base, resolve
from styleguide.document import Doc
from styleguide.findings import CheckContext, StyleFinding
from styleguide.layers import Spec, join, new_errors
from styleguide.rules import Rule
from styleguide.scopes import scope

DEFAULT_CONTEXT = CheckContext()


def check(
    card: CompiledCard,
    text: str,
    context: CheckContext = DEFAULT_CONTEXT,
    *,
    regex_timeout_ms: float = DEFAULT_TIMEOUT_MS,
) -> list[StyleFinding]:
    """Every finding of ``card``'s rules (for the context's channel and tier) on ``text``.

    A brand owner's regex may run ``regex_timeout_ms`` on this reply; one that runs longer is
    reported as a ``skipped`` finding of its rule (its partial matches dropped), and the other
    rules' findings come back as usual: a slow pattern never holds a draft.
    """
    rules = card.rules_for(context.channel, context.tier)
    doc = Doc(scope(text, card.ignore_scopes), regex_timeout_ms=regex_timeout_ms)
    findings: list[StyleFinding] = []
    for rule in rules:
        kept = len(findings)
        try:
            findings.extend(rule.findings(doc, context))
        except PatternTimeout as exc:
            del findings[kept:]
            findings.append(skipped(rule, exc))
    findings.sort(key=lambda f: (f.start, f.end, f.rule))
    return findings


def skipped(rule: Rule, timeout: PatternTimeout) -> StyleFinding:
    """The finding that says ``rule`` was not checked on this reply, and why."""
    message = (
        f"This rule was skipped: its pattern took too long on this reply (over "
        f"{timeout.timeout_ms:g} ms). Read the reply for it yourself."
    )
    return StyleFinding(rule.id, "warning", 0, 0, message, kind="skipped")


@dataclass(frozen=True)
class ValidCard:
    """A card that passed every check: its resolved data, hash and compiled form."""

    resolved: dict[str, Any]
    digest: str
    card: CompiledCard


def validate(text: str, bases: BaseLoader = packaged_base) -> ValidCard:
    """Parse, resolve and compile ``text``, and run every rule's examples; InvalidInput if any
    step fails, with each error filed under its field's path (``banned_phrases.0.pattern``)."""
    resolved = resolve(text, bases)
    digest = content_hash(resolved)
    card = compiled(resolved, digest)
    errors = example_errors(card)
    if errors:
        raise InvalidInput("Some of the card's examples disagree with its rules.", errors)
    return ValidCard(resolved, digest, card)


def example_errors(card: CompiledCard) -> dict[str, list[str]]:
    """Good examples must pass their rule and bad ones must trigger it (like LanguageTool's)."""
    errors = new_errors()
    cases = [(spec, "email", "standard") for spec in card.base_specs.values()]
    cases += card.layer_specs()
    for spec, channel, tier in cases:
        for kind in ("good", "bad"):
            for index, example in enumerate(spec["examples"][kind]):
                problem = _example_problem(card, spec, kind, example, channel, tier)
                if problem:
                    errors[join(spec["path"], "examples", kind, index)].append(problem)
    return dict(errors)


def _example_problem(
    card: CompiledCard,
    spec: Spec,
    kind: str,
    example: str | Mapping[str, Any],
    channel: str,
    tier: str,
) -> str | None:
    if isinstance(example, str):
        text, context = example, CheckContext(channel=channel, tier=tier)
    else:
        text = example["text"]
        fields = {k: v for k, v in example.items() if k != "text"}
        context = CheckContext(**{"channel": channel, "tier": tier, **fields})
    rule = card.rule(context.channel, context.tier, spec["id"])
    if rule is None:
        return f"The rule does not apply to {context.channel} replies for {context.tier} customers."
    try:
        found = list(rule.findings(Doc(scope(text, card.ignore_scopes)), context))
    except PatternTimeout as exc:
        return f"The rule's pattern took too long on this example (over {exc.timeout_ms:g} ms)."
    if kind == "good" and found:
        return f"This good example breaks the rule: {found[0].message}"
    if kind == "bad" and not found:
        return "This bad example does not trigger the rule."
    return None
