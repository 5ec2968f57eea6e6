"""Refusing, before a card is saved, a regex that can run for minutes on some reply (ReDoS).

A pattern such as ``(a+)+$`` or ``(\\w+\\s?)*:`` finds its matches in an ordinary reply at once,
and backtracks for minutes on a long run of characters that almost matches. Whether a pattern
can do that cannot be decided in general, so it is tried, as Vale and linters like it bound
their users' patterns: each regex rule runs the way a check runs it (same engine, flags and
lower-casing) on adversarial texts built from its own characters — long runs of one character,
of a word character and a separator, between the literals every match needs — each under a
time limit. A pattern that blows the limit is refused with the text that did it.

This is a net, not a proof. A check is bounded too (``styleguide.author_patterns``): a pattern
that slips through is skipped on the reply where it runs long, so it costs one timeout, never
a hung draft.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from styleguide.author_patterns import AuthorRegex
from styleguide.patterns import required_literals, straighten

# The ``regex`` engine guards its repeats, so the classic exponential patterns grow about as the
# cube of the text there: on 800 characters ``(a+)+$``, ``(\w+\s?)*:`` and ``([a-z]+)*=`` took
# 1.3–3.5 s on this machine under load, quadratic ones (``(ab|a)*c``, ``(\w|\d)+!``) 80–90 ms and
# linear ones (every rule of the demo card) well under 1 ms. The limit sits between, with room
# on both sides for a busy machine. Quadratic patterns pass on purpose: they are fine on real
# replies and bounded by the check's timeout on a freak one, and a limit tight enough to catch
# them would refuse a pattern one day and accept it the next, with the machine's load.
PROBE_LIMIT_MS = 400.0
RUN_LENGTH = 800  # characters: a long paragraph, enough for a cubic blow-up to show
MAX_PATTERN_CHARACTERS = 10
MAX_LITERALS = 2
# What \w, \d, \s and common separators match, whatever the pattern names.
_GENERIC_UNITS = ("a", "1", " ", "a ", "a-", "a.", "1,", "1.")
# What ends a run without matching \w or \s: the first one the pattern does not name, and a line
# break (which "." does not match) when the pattern has a ".".
_BREAKERS = ("!", "§", "\x00")
_SYNTAX = set("()[]{}?*+|^$\\.")


@dataclass(frozen=True)
class Probe:
    """``literal``, ``unit`` × ``repeats``, ``breaker``, ``literal``: text that almost matches."""

    unit: str
    repeats: int
    breaker: str
    literal: str = ""

    @property
    def text(self) -> str:
        return self.literal + self.unit * self.repeats + self.breaker + self.literal

    def describe(self) -> str:
        run = f"{self.repeats:,} × {self.unit!r} then {self.breaker!r}"
        return f"{self.literal!r}, {run}, then {self.literal!r}" if self.literal else run


def backtracking_problem(
    finder: AuthorRegex, source: str, *, limit_ms: float = PROBE_LIMIT_MS
) -> str | None:
    """Why ``finder`` (compiled from ``source``) cannot be saved, or None when every probe
    text finishes within ``limit_ms``."""
    for probe in probes(source):
        text = probe.text.lower() if finder.lowered else probe.text
        try:
            # Consumed in C (no thread switch between matches spends the probe's time).
            deque(finder.pattern.finditer(text, timeout=limit_ms / 1000), maxlen=0)
        except TimeoutError:
            return (
                f"This pattern can take too long on some text: on {probe.describe()} it ran "
                f"past {limit_ms:g} ms. A repeat inside a repeat, such as (a+)+ or (\\w+\\s?)*, "
                "can match the same text in very many ways; write it so each part can match "
                "a given text in only one way."
            )
    return None


def probes(source: str) -> Iterator[Probe]:
    """The adversarial texts for one pattern: every unit run, ended by each breaker, between
    each of (at most two of) the literals every match needs, so the engine's own
    required-literal shortcut does not skip the work."""
    literals = sorted(required_literals(straighten(source)) or {""}, key=len)[:MAX_LITERALS]
    breakers = [next(b for b in _BREAKERS if b not in source)]
    if "." in source:
        breakers.append("\n")
    for unit in _units(source, literals):
        repeats = max(1, RUN_LENGTH // len(unit))
        for literal in literals:
            for breaker in breakers:
                yield Probe(unit, repeats, breaker, literal)


def _units(source: str, literals: list[str]) -> list[str]:
    """What to repeat: generic characters, the pattern's own characters, its literals."""
    named: list[str] = []
    escaped = False
    for character in source:
        if escaped:
            escaped = False
            # \w, \s, \d, \b … name classes (covered by the generic units); \. \- are literals.
            if character.isalnum():
                continue
        elif character == "\\":
            escaped = True
            continue
        elif character in _SYNTAX:
            continue
        if character not in named and character not in _GENERIC_UNITS:
            named.append(character)
    named = named[:MAX_PATTERN_CHARACTERS]
    # A separator the pattern names, with the spaces around it that \s* on both sides can share.
    spaced = [f"{c} " for c in named if not c.isalnum() and c != " "][:3]
    units = [*_GENERIC_UNITS, *named, *spaced]
    units += [literal for literal in literals if len(literal) > 1 and literal not in units]
    return units
