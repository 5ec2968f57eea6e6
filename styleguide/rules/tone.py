"""Rules about tone: occurrence limits, capitals, sentence length, readability, repetition."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Self

from styleguide.document import Doc, syllables
from styleguide.findings import CheckContext, Fix, StyleFinding
from styleguide.patterns import Finder, phrases_finder
from styleguide.rules.base import Rule

_EXCLAMATION = re.compile(r"!+")
# Pictographs, dingbats, flags, and the joiners and modifiers that glue them into one emoji.
_EMOJI = re.compile(
    "(?:[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\U0001f1e6-\U0001f1ff]"
    "[\ufe0f\U0001f3fb-\U0001f3ff]*(?:\u200d[\U0001f000-\U0001faff\u2600-\u27bf]\ufe0f?)*)"
)
_HIGH = re.compile("[\u2600-\U0010ffff]")
_CONTRACTION = re.compile(
    r"\b\w+(?:n't|'re|'ve|'ll|'m|'d)\b|\b(?:it|that|there|what|here|let)'s\b", re.I
)


@dataclass(frozen=True)
class ExclamationMarks(Rule):
    """At most ``max`` exclamation marks in a reply."""

    family = "occurrence"
    max: int

    @classmethod
    def build(cls, spec: Mapping[str, Any]) -> Self:
        return cls(**cls.common(spec), max=spec["max"])

    def findings(self, doc: Doc, ctx: CheckContext) -> Iterator[StyleFinding]:
        if "!" not in doc.masked:
            return
        marks = [
            (m.start() + i, m.start() + i + 1)
            for s, e in doc.blocks
            for m in _EXCLAMATION.finditer(doc.masked, s, e)
            for i in range(len(m.group()))
        ]
        if len(marks) > self.max:
            start, end = marks[self.max]
            yield self.finding(start, end, detail=f"{len(marks)} found, at most {self.max}")


@dataclass(frozen=True)
class Emoji(Rule):
    """At most so many emoji per channel (none in email, say)."""

    family = "occurrence"
    limits: Mapping[str, int]

    @classmethod
    def build(cls, spec: Mapping[str, Any]) -> Self:
        return cls(**cls.common(spec), limits={"email": spec["email"], "chat": spec["chat"]})

    def findings(self, doc: Doc, ctx: CheckContext) -> Iterator[StyleFinding]:
        if not _HIGH.search(doc.masked):
            return  # every emoji lies above U+2600; most replies have no such character
        limit = self.limits.get(ctx.channel, 0)
        found = [m.span() for s, e in doc.blocks for m in _EMOJI.finditer(doc.masked, s, e)]
        for start, end in found[limit:]:
            yield self.finding(start, end, detail=f"{len(found)} in {ctx.channel}, at most {limit}")


@dataclass(frozen=True)
class AllCapsWords(Rule):
    """Words in capitals read as shouting; acronyms on the allow list are fine."""

    family = "capitalization"
    max: int
    allow: frozenset[str]
    min_length: int

    @classmethod
    def build(cls, spec: Mapping[str, Any]) -> Self:
        return cls(
            **cls.common(spec),
            max=spec["max"],
            allow=frozenset(spec["allow"]),
            min_length=spec["min_length"],
        )

    def _shouted(self, word: str) -> bool:
        return (
            word.isupper()
            and not any(c.isdigit() for c in word)  # codes: INV-0042, HMAC-SHA256, P60
            and sum(c.isalpha() for c in word) >= self.min_length
            and word not in self.allow
            and word.rstrip("s") not in self.allow  # plurals of acronyms: PDFs, APIs
        )

    def findings(self, doc: Doc, ctx: CheckContext) -> Iterator[StyleFinding]:
        if sum(map(self._shouted, doc.word_list)) <= self.max:
            return
        shouted = [(start, end, word) for start, end, word in doc.words if self._shouted(word)]
        for start, end, word in shouted[self.max :]:
            lower = word.lower()
            yield self.finding(
                start, end, detail=f'"{word}"', suggestion=lower, fix=Fix(start, end, lower, False)
            )


@dataclass(frozen=True)
class SentenceLength(Rule):
    """No sentence longer than ``max_words`` words."""

    family = "metric"
    max_words: int

    @classmethod
    def build(cls, spec: Mapping[str, Any]) -> Self:
        return cls(**cls.common(spec), max_words=spec["max_words"])

    def findings(self, doc: Doc, ctx: CheckContext) -> Iterator[StyleFinding]:
        for span in doc.sentences:
            if span[1] - span[0] < 2 * self.max_words:
                continue  # a word and its space take two characters at least: too short to count
            count = doc.words_in(span)
            if count > self.max_words:
                yield self.finding(*span, detail=f"{count} words, at most {self.max_words}")


@dataclass(frozen=True)
class Readability(Rule):
    """The Flesch–Kincaid grade of the reply's prose stays inside a range."""

    family = "readability"
    min_grade: float
    max_grade: float
    min_words: int

    @classmethod
    def build(cls, spec: Mapping[str, Any]) -> Self:
        return cls(
            **cls.common(spec),
            min_grade=spec["min_grade"],
            max_grade=spec["max_grade"],
            min_words=spec["min_words"],
        )

    def findings(self, doc: Doc, ctx: CheckContext) -> Iterator[StyleFinding]:
        count = len(doc.word_list)
        if not count or count < self.min_words:
            return
        grade = flesch_kincaid_grade(doc)
        if self.min_grade <= grade <= self.max_grade:
            return
        side = "below" if grade < self.min_grade else "above"
        range_ = f"{self.min_grade:g}–{self.max_grade:g}"
        words = doc.words
        yield self.finding(words[0][0], words[-1][1], detail=f"grade {grade:.1f}, {side} {range_}")


def flesch_kincaid_grade(doc: Doc) -> float:
    count = len(doc.word_list)
    sentences = max(1, len(doc.sentences))
    syllable_count = sum(map(syllables, doc.lowered_words))
    return 0.39 * count / sentences + 11.8 * syllable_count / count - 15.59


@dataclass(frozen=True)
class PhraseCount(Rule):
    """A policy phrase (a hedge, an apology) may appear at most ``max`` times."""

    family = "occurrence"
    phrases: Finder
    max: int

    @classmethod
    def build(cls, spec: Mapping[str, Any]) -> Self:
        return cls(**cls.common(spec), phrases=phrases_finder(spec["phrases"]), max=spec["max"])

    def findings(self, doc: Doc, ctx: CheckContext) -> Iterator[StyleFinding]:
        found = list(self.phrases.matches(doc))
        for start, end in found[self.max :]:
            detail = f'"{doc.text[start:end]}", {len(found)} in this reply, at most {self.max}'
            yield self.finding(start, end, detail=detail)


@dataclass(frozen=True)
class Formality(Rule):
    """No slang; contractions allowed or avoided per channel."""

    family = "existence"
    slang: Finder
    avoid_contractions: frozenset[str]

    @classmethod
    def build(cls, spec: Mapping[str, Any]) -> Self:
        policy = spec["contractions"]
        avoid = frozenset(channel for channel, rule in policy.items() if rule == "avoid")
        return cls(
            **cls.common(spec), slang=phrases_finder(spec["slang"]), avoid_contractions=avoid
        )

    def findings(self, doc: Doc, ctx: CheckContext) -> Iterator[StyleFinding]:
        for start, end in self.slang.matches(doc):
            yield self.finding(start, end, detail=f'slang "{doc.text[start:end]}"')
        if ctx.channel not in self.avoid_contractions or "'" not in doc.masked:
            return
        for start, end in doc.blocks:
            for match in _CONTRACTION.finditer(doc.masked, start, end):
                detail = f'contraction "{match.group()}" in {ctx.channel}'
                yield self.finding(match.start(), match.end(), detail=detail)


@dataclass(frozen=True)
class Repetition(Rule):
    """A doubled word ("the the"), or one word used more than ``max_repeats_of_word`` times."""

    family = "repetition"
    max_repeats: int
    min_length: int
    ignore: frozenset[str]
    consecutive: bool

    @classmethod
    def build(cls, spec: Mapping[str, Any]) -> Self:
        return cls(
            **cls.common(spec),
            max_repeats=spec["max_repeats_of_word"],
            min_length=spec["min_word_length"],
            ignore=frozenset(word.lower() for word in spec["ignore"]),
            consecutive=spec["consecutive"],
        )

    def findings(self, doc: Doc, ctx: CheckContext) -> Iterator[StyleFinding]:
        if self.consecutive:
            yield from self._doubled(doc)
        counts = Counter(doc.lowered_words)
        overused = {
            word
            for word, count in counts.items()
            if count > self.max_repeats and len(word) >= self.min_length and word not in self.ignore
        }
        if not overused:
            return
        seen: Counter[str] = Counter()
        for (start, end, word), lowered in zip(doc.words, doc.lowered_words, strict=True):
            if lowered in overused:
                seen[lowered] += 1
                if seen[lowered] == self.max_repeats + 1:
                    detail = f'"{word}" used more than {self.max_repeats} times'
                    yield self.finding(start, end, detail=detail)

    def _doubled(self, doc: Doc) -> Iterator[StyleFinding]:
        lowered = doc.lowered_words
        doubled = [i for i, (a, b) in enumerate(pairwise(lowered), 1) if a == b]
        for index in doubled:
            if lowered[index].isdigit():
                continue
            start, first_end, first = doc.words[index - 1]
            second_start, end, _ = doc.words[index]
            if doc.text[first_end:second_start].strip():
                continue  # the original has something there: a masked URL is not a gap
            yield self.finding(
                first_end,
                end,
                detail=f'"{doc.text[start:end]}"',
                suggestion=first,
                fix=Fix(first_end, end, "", True),
            )
