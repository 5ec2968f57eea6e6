"""Finding a card's phrases and patterns in a reply, fast.

Python's ``re`` scans an IGNORECASE alternation, or any pattern that opens with a lookbehind, at
every position (~30–60 µs per rule on a 150-word reply), which alone would spend a check's whole
budget. So a ``Finder`` first asks whether a literal every match must contain (an *anchor*) is
in the reply at all (a C-speed substring test on the lower-cased text), and only then runs the
pattern; literal phrases run in lower case on the lower-cased text, without IGNORECASE, and
their leading word boundary is checked in Python rather than with a lookbehind.

A brand owner's own regex runs on another engine, with a time limit: see
``styleguide.author_patterns``.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from styleguide.document import Doc

_CURLY = (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'))


def straighten(text: str) -> str:
    """Curly quotes as straight ones, as the scoped text has them (one character each)."""
    for curly, straight in _CURLY:
        if curly in text:  # str.translate with a table costs ~20 µs a reply; this, ~1 µs
            text = text.replace(curly, straight)
    return text


@dataclass(frozen=True)
class Finder:
    """A compiled pattern, the anchors that gate it, and whether it runs on lower-cased text."""

    pattern: re.Pattern[str]
    lowered: bool = False
    anchors: tuple[str, ...] | None = None  # None: no anchor is known, always run
    guard_start: bool = False

    def present(self, doc: Doc) -> bool:
        """Whether a match is possible at all (every match contains one of the anchors)."""
        return self.anchors is None or any(map(doc.lower.__contains__, self.anchors))

    def spans(self, doc: Doc, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
        """Each match's (start, end) inside ``[start, end)`` of the reply."""
        if self.present(doc):
            yield from self._spans(doc, start, len(doc.masked) if end is None else end)

    def _spans(self, doc: Doc, start: int, end: int) -> Iterator[tuple[int, int]]:
        text = doc.lower if self.lowered else doc.masked
        for match in self.pattern.finditer(text, start, end):
            if match.end() > match.start() and self._starts_a_word(text, match.start()):
                yield match.start(), match.end()

    def matches(self, doc: Doc) -> Iterator[tuple[int, int]]:
        """Each match in the reply's prose: one scan of the masked text, where everything
        outside the prose blocks is blank or whitespace (one scan per block costs more)."""
        if self.present(doc):
            yield from self._spans(doc, 0, len(doc.masked))

    def first(self, doc: Doc) -> tuple[int, int] | None:
        return next(self.matches(doc), None)

    def match_at(self, doc: Doc, position: int, end: int) -> tuple[int, int] | None:
        text = doc.lower if self.lowered else doc.masked
        match = self.pattern.match(text, position, end)
        return match.span() if match else None

    def _starts_a_word(self, text: str, start: int) -> bool:
        if not self.guard_start or start == 0 or not text[start].isalnum():
            return True
        before = text[start - 1]
        return not (before.isalnum() or before in "_-")


NEVER = Finder(re.compile(r"(?!)"), anchors=())


def phrase_source(phrase: str) -> str:
    """A literal phrase as a regex: any run of spaces between its words, a whole last word.

    Only the end carries a guard in the regex; ``Finder`` checks the start, so "unfortunately"
    never matches inside "unfortunatelyish" while "@fernhill.example" still matches after a name.
    """
    phrase = straighten(phrase.strip())
    body = r"\s+".join(re.escape(part) for part in phrase.split())
    return body + (r"(?![\w-])" if phrase[-1:].isalnum() else "")


def phrases_finder(phrases: Iterable[str], *, case_sensitive: bool = False) -> Finder:
    """One alternation of literal phrases, longest first so "log in to" wins over "log in"."""
    ordered = sorted({straighten(p.strip()) for p in phrases if p.strip()}, key=len, reverse=True)
    if not ordered:
        return NEVER
    written = ordered if case_sensitive else [p.lower() for p in ordered]
    pattern = re.compile("|".join(f"(?:{phrase_source(p)})" for p in written))
    anchors = tuple({max(p.lower().split(), key=len) for p in ordered})
    return Finder(pattern, lowered=not case_sensitive, anchors=anchors, guard_start=True)


# Where the ``regex`` engine reads a set operation or a POSIX class (``[[:alpha:]]``, ``[a--b]``)
# that ``re``'s parser, used below, reads as plain characters (with a FutureWarning).
_NESTED_SET_MARKS = ("[[", "--", "&&", "~~", "||")


def required_literals(source: str) -> set[str] | None:
    """Strings one of which every match of ``source`` contains; None when none can be told."""
    if any(mark in source for mark in _NESTED_SET_MARKS):
        return None
    try:
        # The stdlib's own regex parser (private, so looked up by name and typed loosely).
        parser: Any = importlib.import_module("re._parser")
        tree = parser.parse(source)
    except (ImportError, re.error):
        return None
    return _sequence(list(tree))


def _sequence(items: list[Any]) -> set[str] | None:
    candidates: list[set[str]] = []
    run: list[str] = []
    for op, value in items:
        name = str(op)
        if name == "LITERAL":
            run.append(chr(value))
            continue
        if run:
            candidates.append({"".join(run)})
            run = []
        found = _item(name, value)
        if found:
            candidates.append(found)
    if run:
        candidates.append({"".join(run)})
    # The most selective requirement: the one whose shortest string is longest.
    return max(candidates, key=lambda c: min(len(s) for s in c), default=None)


def _item(name: str, value: Any) -> set[str] | None:
    if name == "SUBPATTERN":
        return _sequence(list(value[-1]))
    if name == "BRANCH":
        union: set[str] = set()
        for branch in value[1]:
            found = _sequence(list(branch))
            if not found:
                return None
            union |= found
        return union
    if name in ("MAX_REPEAT", "MIN_REPEAT") and value[0] >= 1:
        return _sequence(list(value[2]))
    return None


def match_case(found: str, replacement: str) -> str:
    """``replacement`` written in the case of ``found``: LOG IN → SIGN IN, Log in → Sign in."""
    letters = [c for c in found if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return replacement.upper()
    if letters and found.lstrip()[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement
