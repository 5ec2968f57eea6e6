"""Rules about words and phrases: existence, substitution, consistency, capitalization, spelling."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Self

from styleguide.author_patterns import AuthorRegex, rule_finder
from styleguide.document import Doc
from styleguide.findings import CheckContext, Fix, StyleFinding
from styleguide.patterns import Finder, match_case, phrase_source, phrases_finder, straighten
from styleguide.rules.base import Rule


@dataclass(frozen=True)
class Existence(Rule):
    """A banned or restricted phrase (a literal phrase or a regex) must not appear."""

    family = "existence"
    pattern: Finder | AuthorRegex

    @classmethod
    def build(cls, spec: Mapping[str, Any]) -> Self:
        pattern = rule_finder(
            spec["pattern"], is_regex=spec["regex"], case_sensitive=spec["case_sensitive"]
        )
        return cls(**cls.common(spec), pattern=pattern)

    def findings(self, doc: Doc, ctx: CheckContext) -> Iterator[StyleFinding]:
        for start, end in self.pattern.matches(doc):
            yield self.finding(start, end, detail=f'"{doc.text[start:end]}"')


@dataclass(frozen=True)
class RiskyPromise(Existence):
    """A promise we cannot keep: a guarantee, an absolute timeline, liability, "never again"."""

    kind: str = "other"

    @classmethod
    def build(cls, spec: Mapping[str, Any]) -> Self:
        base = Existence.build(spec)
        return cls(**cls.common(spec), pattern=base.pattern, kind=spec["kind"])


@dataclass(frozen=True)
class Substitution(Rule):
    """Prefer one term over others; matches inside an exception phrase are left alone."""

    family = "substitution"
    avoid: Finder
    exceptions: Finder
    prefer: str
    case_sensitive: bool
    safe: bool

    @classmethod
    def build(cls, spec: Mapping[str, Any]) -> Self:
        sensitive = spec["case_sensitive"]
        return cls(
            **cls.common(spec),
            avoid=phrases_finder(spec["over"], case_sensitive=sensitive),
            exceptions=phrases_finder(spec["exceptions"], case_sensitive=sensitive),
            prefer=spec["prefer"],
            case_sensitive=sensitive,
            safe=spec["fix"] == "safe",
        )

    def findings(self, doc: Doc, ctx: CheckContext) -> Iterator[StyleFinding]:
        matches = list(self.avoid.matches(doc))
        if not matches:
            return
        spared = list(self.exceptions.matches(doc))
        for start, end in matches:
            if any(s <= start and end <= e for s, e in spared):
                continue
            found = doc.text[start:end]
            better = self.prefer if self.case_sensitive else match_case(found, self.prefer)
            yield self.finding(
                start,
                end,
                detail=f'"{found}"',
                suggestion=better,
                fix=Fix(start, end, better, self.safe),
            )


@dataclass(frozen=True)
class Consistency(Rule):
    """Use one spelling of a term per reply; the others are flagged when two forms are mixed."""

    family = "consistency"
    variants: Finder
    prefer: str
    case_sensitive: bool

    @classmethod
    def build(cls, spec: Mapping[str, Any]) -> Self:
        sensitive = spec["case_sensitive"]
        return cls(
            **cls.common(spec),
            variants=phrases_finder(spec["variants"], case_sensitive=sensitive),
            prefer=spec["prefer"],
            case_sensitive=sensitive,
        )

    def _form(self, text: str) -> str:
        return text if self.case_sensitive else text.lower()

    def findings(self, doc: Doc, ctx: CheckContext) -> Iterator[StyleFinding]:
        matches = [(s, e, doc.masked[s:e]) for s, e in self.variants.matches(doc)]
        if len({self._form(found) for _, _, found in matches}) < 2:
            return
        preferred = self._form(self.prefer)
        for start, end, found in matches:
            if self._form(found) == preferred:
                continue
            better = self.prefer if self.case_sensitive else match_case(found, self.prefer)
            yield self.finding(
                start,
                end,
                detail=f'"{found}"',
                suggestion=better,
                fix=Fix(start, end, better, True),
            )


@dataclass(frozen=True)
class Capitalization(Rule):
    """Names keep their official capitals (optionally only before words such as "plan")."""

    family = "capitalization"
    terms: Finder
    following: re.Pattern[str] | None
    official: Mapping[str, str]

    @classmethod
    def build(cls, spec: Mapping[str, Any]) -> Self:
        following = None
        if spec["only_before"]:
            words = "|".join(phrase_source(w.lower()) for w in spec["only_before"])
            following = re.compile(f"\\s+(?:{words})")
        official = {" ".join(t.lower().split()): t for t in spec["terms"]}
        terms = phrases_finder(spec["terms"])
        return cls(**cls.common(spec), terms=terms, following=following, official=official)

    def findings(self, doc: Doc, ctx: CheckContext) -> Iterator[StyleFinding]:
        for start, end in self.terms.matches(doc):
            if self.following is not None and not self.following.match(doc.lower, end):
                continue
            found = doc.masked[start:end]
            right = self.official.get(" ".join(found.lower().split()))
            if right is None or " ".join(found.split()) == right:
                continue
            yield self.finding(
                start, end, detail=f'"{found}"', suggestion=right, fix=Fix(start, end, right, True)
            )


@dataclass(frozen=True)
class Spelling(Rule):
    """Known misspellings, and near-misses of the card's vocabulary (brand and product names).

    Tandem ships no general dictionary; it checks what a brand cares about most: its own names
    ("Fernhil", "Quickbooks") within an edit distance of one or two, and a list of common slips.
    """

    family = "spelling"
    misspellings: Mapping[str, str]
    vocabulary: tuple[str, ...]
    known: frozenset[str]
    initials: frozenset[str]
    max_distance: int

    @classmethod
    def build(cls, spec: Mapping[str, Any]) -> Self:
        vocabulary = tuple(straighten(w) for w in spec["vocabulary"] if " " not in w.strip())
        return cls(
            **cls.common(spec),
            misspellings={k.lower(): v for k, v in spec["misspellings"].items()},
            vocabulary=vocabulary,
            known=frozenset(w.lower() for w in vocabulary),
            initials=frozenset(w[0].lower() for w in vocabulary),
            max_distance=spec["max_distance"],
        )

    def findings(self, doc: Doc, ctx: CheckContext) -> Iterator[StyleFinding]:
        unique = set(doc.lowered_words)
        wrong = set(unique & self.misspellings.keys())
        wrong |= {
            w
            for w in unique
            if len(w) >= 5 and w[0] in self.initials and w not in self.known and self._near_miss(w)
        }
        if not wrong:
            return
        for (start, end, word), lowered in zip(doc.words, doc.lowered_words, strict=True):
            if lowered not in wrong:
                continue
            right = self.misspellings.get(lowered) or self._near_miss(word)
            if right is None:
                continue
            right = match_case(word, right) if lowered in self.misspellings else right
            yield self.finding(
                start, end, detail=f'"{word}"', suggestion=right, fix=Fix(start, end, right, True)
            )

    def _near_miss(self, word: str) -> str | None:
        lowered = word.lower()
        for term in self.vocabulary:
            if abs(len(term) - len(word)) > self.max_distance or term[0].lower() != lowered[0]:
                continue
            if _within(lowered, term.lower(), self.max_distance):
                return term
        return None


def _within(a: str, b: str, limit: int) -> bool:
    """Whether the Damerau–Levenshtein distance of ``a`` and ``b`` is at most ``limit``."""
    if a == b:
        return True
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return False
        previous2, previous = previous, current
    return previous[-1] <= limit
