"""A brand owner's own regex: run by the ``regex`` engine with a time limit on every reply.

Python's ``re`` cannot be interrupted, so a pattern that backtracks catastrophically
(``(a+)+$`` on a long run of "a") would hold a draft request for minutes. The ``regex`` package
takes a ``timeout`` and raises ``TimeoutError`` when it is spent; ``AuthorRegex`` maps that to
``PatternTimeout``, and the checker reports the rule as skipped on that reply while the other
rules' findings come back. It also keeps the syntax brand owners may have used with ``re``
(lookarounds, backreferences, Unicode ``\\w`` and ``\\b``), which RE2 would refuse or read as
ASCII. Literal phrases stay on the stdlib fast path (``styleguide.patterns``): an escaped
alternation of words cannot backtrack catastrophically.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import regex

from styleguide.patterns import Finder, phrases_finder, required_literals, straighten

if TYPE_CHECKING:
    from styleguide.document import Doc

# One author regex on one reply; ``style_regex_timeout_ms`` in the settings table says the same.
DEFAULT_TIMEOUT_MS = 50.0


class PatternTimeout(Exception):
    """An author's regex ran past its time limit on one reply; its rule is skipped there."""

    def __init__(self, timeout_ms: float) -> None:
        super().__init__(f"The pattern took longer than {timeout_ms:g} ms.")
        self.timeout_ms = timeout_ms


@dataclass(frozen=True)
class AuthorRegex:
    """A compiled author regex, the anchors that gate it, and whether it reads lower case."""

    pattern: regex.Pattern[str]
    lowered: bool = False
    anchors: tuple[str, ...] | None = None  # None: no anchor is known, always run

    def present(self, doc: Doc) -> bool:
        """Whether a match is possible at all (every match contains one of the anchors)."""
        return self.anchors is None or any(map(doc.lower.__contains__, self.anchors))

    def matches(self, doc: Doc) -> Iterator[tuple[int, int]]:
        """Each non-empty match in the reply's prose; PatternTimeout when the scan runs past
        the reply's time limit (the limit covers the whole scan, not each match)."""
        if not self.present(doc):
            return
        text = doc.lower if self.lowered else doc.masked
        try:
            # The limit is wall time from the scan's start. list() takes every match in one C
            # call, so no other thread can run between two matches and spend this one's time.
            found = list(self.pattern.finditer(text, timeout=doc.regex_timeout_ms / 1000))
        except TimeoutError as exc:
            raise PatternTimeout(doc.regex_timeout_ms) from exc
        for match in found:
            if match.end() > match.start():
                yield match.span()


def author_regex(pattern: str, *, case_sensitive: bool) -> AuthorRegex:
    """Compile an author's pattern as a check runs it; ``regex.error`` if it does not compile."""
    source = straighten(pattern)
    anchors = required_literals(source)
    gate = tuple(a.lower() for a in anchors) if anchors else None
    if case_sensitive:
        return AuthorRegex(regex.compile(source), anchors=gate)
    if source == source.lower():
        # No capitals, so no \S, \W, \B or [A-Z]: on the lower-cased reply this pattern matches
        # exactly what it would with IGNORECASE, without IGNORECASE's slower scan.
        return AuthorRegex(regex.compile(source), lowered=True, anchors=gate)
    return AuthorRegex(regex.compile(source, regex.IGNORECASE), anchors=gate)


def rule_finder(pattern: str, *, is_regex: bool, case_sensitive: bool) -> Finder | AuthorRegex:
    """A rule's pattern: a literal phrase (whole words) or the author's own regex."""
    if not is_regex:
        return phrases_finder([pattern], case_sensitive=case_sensitive)
    return author_regex(pattern, case_sensitive=case_sensitive)
