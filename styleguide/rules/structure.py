"""Rules about a reply's shape: greeting, sign-off, the customer's name, disclaimers, bad news."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Self

from styleguide.document import Doc
from styleguide.findings import CheckContext, Fix, StyleFinding
from styleguide.patterns import NEVER, Finder, phrases_finder, straighten
from styleguide.rules.base import Rule

_NAME = r"[^\W\d_][\w'-]*"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_WHITESPACE = re.compile(r"\s+")


def template_regex(template: str, *, capture: bool = True) -> str:
    """A greeting or sign-off template as a regex; each {placeholder} matches (captures) a name."""
    parts, position = [], 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(_literal(template[position : match.start()]))
        parts.append(f"(?P<{match.group(1)}>{_NAME})" if capture else f"(?:{_NAME})")
        position = match.end()
    parts.append(_literal(template[position:]))
    return "".join(parts)


def _literal(text: str) -> str:
    # Any run of whitespace in the template (a line break, say) matches any run in the reply.
    return r"\s+".join(re.escape(straighten(chunk)) for chunk in re.split(r"\s+", text))


def fill(template: str, **names: str | None) -> tuple[str, bool]:
    """The template with names filled in, and whether every name was known."""
    known = True

    def name(match: re.Match[str]) -> str:
        nonlocal known
        value = names.get(match.group(1))
        if not value:
            known = False
            return f"[{match.group(1).replace('_', ' ')}]"
        return value

    return _PLACEHOLDER.sub(name, template), known


@dataclass(frozen=True)
class Greeting(Rule):
    """Open with a preferred greeting for the channel, with the name; never a banned one."""

    family = "existence"
    preferred: Mapping[str, tuple[str, ...]]
    patterns: Mapping[str, tuple[re.Pattern[str], ...]]
    forbidden: re.Pattern[str]

    @classmethod
    def build(cls, spec: Mapping[str, Any]) -> Self:
        preferred = {ch: tuple(spec["preferred"].get(ch, ())) for ch in ("email", "chat")}
        patterns = {
            ch: tuple(re.compile(template_regex(t)) for t in templates)
            for ch, templates in preferred.items()
            if templates
        }
        forbidden = [template_regex(t, capture=False) for t in spec["forbidden"]]
        banned = (
            re.compile("|".join(f"(?:{f})(?![\\w-])" for f in forbidden), re.I)
            if forbidden
            else None
        )
        return cls(
            **cls.common(spec),
            preferred=preferred,
            patterns=patterns,
            forbidden=banned or re.compile(r"(?!)"),
        )

    def findings(self, doc: Doc, ctx: CheckContext) -> Iterator[StyleFinding]:
        block = doc.first_block
        if block is None:
            return
        start, end = block
        line_end = doc.masked.find("\n", start, end)
        line_end = end if line_end == -1 else line_end
        banned = self.forbidden.match(doc.masked, start, line_end)
        patterns = self.patterns.get(ctx.channel)
        if banned is None and (not patterns or self._fits(patterns, doc, start, ctx)):
            return
        replacement, known = self._replacement(ctx)
        if replacement is None:
            if banned is not None:
                yield self.finding(start, banned.end(), detail=f'"{banned.group()}"')
            return
        if banned is not None:
            cut = banned.end()
            if doc.masked[cut : cut + 1] in (",", "!", ":"):
                cut += 1
            yield self.finding(
                start,
                cut,
                detail=f'"{banned.group()}"',
                suggestion=replacement,
                fix=Fix(start, cut, replacement, known),
            )
            return
        opening = _greeting_like(doc.masked, start, line_end)
        if opening is not None:
            fix = Fix(start, opening, replacement, known)
        else:
            fix = Fix(start, start, replacement + "\n\n", known)
        yield self.finding(start, opening or start, suggestion=replacement, fix=fix)

    def _fits(
        self, patterns: tuple[re.Pattern[str], ...], doc: Doc, start: int, ctx: CheckContext
    ) -> bool:
        expected = ctx.customer_first_name
        for pattern in patterns:
            match = pattern.match(doc.masked, start)
            if match is None:
                continue
            named = match.groupdict().get("first_name")
            if expected is None or named is None or named == expected:
                return True
        return False

    def _replacement(self, ctx: CheckContext) -> tuple[str | None, bool]:
        templates = self.preferred.get(ctx.channel) or ()
        if not templates:
            return None, False
        return fill(templates[0], first_name=ctx.customer_first_name)


def _greeting_like(text: str, start: int, line_end: int) -> int | None:
    """Where an existing short salutation ("Hello Dana!") ends, so a fix replaces it."""
    line = text[start:line_end]
    match = re.match(
        r"^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b[^.!?,:\n]{0,40}[,!:]?",
        line,
        re.I,
    )
    return start + match.end() if match else None


@dataclass(frozen=True)
class Signoff(Rule):
    """Close with a preferred sign-off for the channel, never a banned one."""

    family = "existence"
    preferred: Mapping[str, tuple[str, ...]]
    patterns: Mapping[str, tuple[re.Pattern[str], ...]]
    forbidden: Finder

    @classmethod
    def build(cls, spec: Mapping[str, Any]) -> Self:
        preferred = {ch: tuple(spec["preferred"].get(ch, ())) for ch in ("email", "chat")}
        patterns = {
            ch: tuple(re.compile(template_regex(t) + r"[ \t]*\Z") for t in templates)
            for ch, templates in preferred.items()
            if templates
        }
        return cls(
            **cls.common(spec),
            preferred=preferred,
            patterns=patterns,
            forbidden=phrases_finder(spec["forbidden"]),
        )

    def findings(self, doc: Doc, ctx: CheckContext) -> Iterator[StyleFinding]:
        block = doc.last_block
        if block is None:
            return
        start, end = block
        tail = doc.masked[:end]
        patterns = self.patterns.get(ctx.channel) or ()
        templates = self.preferred.get(ctx.channel) or ()
        replacement, known = (
            fill(templates[0], agent_first_name=ctx.agent_first_name)
            if templates
            else (None, False)
        )
        banned = next(self.forbidden.spans(doc, start, end), None)
        if banned is not None:
            fix = Fix(banned[0], end, replacement, known) if replacement else None
            yield self.finding(
                *banned,
                detail=f'"{doc.text[banned[0] : banned[1]]}"',
                suggestion=replacement,
                fix=fix,
            )
            return
        if not patterns or replacement is None or self._closes(patterns, tail, start, ctx):
            return
        yield self.finding(
            end, end, suggestion=replacement, fix=Fix(end, end, "\n\n" + replacement, known)
        )

    def _closes(
        self, patterns: tuple[re.Pattern[str], ...], tail: str, start: int, ctx: CheckContext
    ) -> bool:
        # Look back a little before the last block: "Best,\n\nJess" puts the name on its own.
        expected = ctx.agent_first_name
        for pattern in patterns:
            match = pattern.search(tail, max(0, start - 40))
            if match is None:
                continue
            named = match.groupdict().get("agent_first_name")
            if expected is None or named is None or named == expected:
                return True
        return False


@dataclass(frozen=True)
class Personalization(Rule):
    """Use the customer's first name; no over-familiar terms of address."""

    family = "existence"
    use_name: bool
    over_familiar: Finder

    @classmethod
    def build(cls, spec: Mapping[str, Any]) -> Self:
        return cls(
            **cls.common(spec),
            use_name=spec["use_customer_name"],
            over_familiar=phrases_finder(spec["over_familiar"]),
        )

    def findings(self, doc: Doc, ctx: CheckContext) -> Iterator[StyleFinding]:
        for start, end in self.over_familiar.matches(doc):
            yield self.finding(start, end, detail=f'"{doc.text[start:end]}"')
        name = ctx.customer_first_name
        if self.use_name and name and not _mentions(doc, name):
            yield self.finding(0, 0, detail=f"the customer is {name}")


def _mentions(doc: Doc, name: str) -> bool:
    if name not in doc.masked:
        return False
    pattern = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")  # re caches compiled patterns
    return any(pattern.search(doc.masked, start, end) for start, end in doc.blocks)


@dataclass(frozen=True)
class Conditional(Rule):
    """When the intent, channel, tier or a keyword matches, a required text must be present."""

    family = "conditional"
    intents: frozenset[str]
    channels: frozenset[str]
    tiers: frozenset[str]
    keywords: Finder
    match_all: bool
    text: str
    required: str  # the text normalised for comparison

    @classmethod
    def build(cls, spec: Mapping[str, Any]) -> Self:
        when = spec["when"]
        return cls(
            **cls.common(spec),
            intents=frozenset(when["intents"]),
            channels=frozenset(when["channels"]),
            tiers=frozenset(when["tiers"]),
            keywords=phrases_finder(when["keywords"]) if when["keywords"] else NEVER,
            match_all=when["match"] == "all",
            text=spec["text"],
            required=_normalise(spec["text"]),
        )

    def findings(self, doc: Doc, ctx: CheckContext) -> Iterator[StyleFinding]:
        keyword = self.keywords.first(doc)
        checks = [
            (bool(self.intents), ctx.intent in self.intents),
            (bool(self.channels), ctx.channel in self.channels),
            (bool(self.tiers), ctx.tier in self.tiers),
            (self.keywords is not NEVER, keyword is not None),
        ]
        results = [hit for asked, hit in checks if asked]
        if not (all(results) if self.match_all else any(results)):
            return
        if self.required in doc.prose:
            return
        start, end = keyword or (len(doc.text), len(doc.text))
        yield self.finding(start, end, suggestion=self.text)


def _normalise(text: str) -> str:
    return (
        _WHITESPACE.sub(" ", straighten(text).replace("–", "-").replace("—", "-")).strip().lower()
    )


@dataclass(frozen=True)
class BadNews(Rule):
    """Bad news follows a sequence: acknowledge, then explain, then give a next step."""

    family = "sequence"
    triggers: Finder
    steps: tuple[tuple[str, Finder], ...]

    @classmethod
    def build(cls, spec: Mapping[str, Any]) -> Self:
        steps = tuple((step, phrases_finder(spec["signals"][step])) for step in spec["require"])
        return cls(**cls.common(spec), triggers=phrases_finder(spec["triggers"]), steps=steps)

    def findings(self, doc: Doc, ctx: CheckContext) -> Iterator[StyleFinding]:
        trigger = self.triggers.first(doc)
        if trigger is None:
            return
        missing = _missing_steps(doc, self.steps)
        if missing:
            detail = "missing: " + ", ".join(step.replace("_", " ") for step in missing)
            yield self.finding(*trigger, detail=detail)


def _missing_steps(doc: Doc, steps: Sequence[tuple[str, Finder]]) -> list[str]:
    """The steps not found in order (each after the previous one's first match)."""
    missing, position = [], 0
    for step, finder in steps:
        found = next((span for span in finder.matches(doc) if span[0] >= position), None)
        if found is None:
            missing.append(step)
        else:
            position = found[1]
    return missing
