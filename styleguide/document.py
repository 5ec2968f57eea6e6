"""A reply as the rules read it: the scoped text plus its words and sentences, each found once."""

from __future__ import annotations

import re
from functools import cached_property, lru_cache

from styleguide.author_patterns import DEFAULT_TIMEOUT_MS
from styleguide.scopes import ScopedText, Span

_WORD = re.compile(r"\w+(?:['-]\w+)*")
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(?=\s|$)")
_ABBREVIATIONS = frozenset(
    {"a.m", "p.m", "e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "no", "approx", "incl"}
)
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
_SPACES = re.compile(r"\s+")


class Doc:
    """The scoped reply; words and sentences are computed on first use and shared by rules."""

    def __init__(self, scoped: ScopedText, *, regex_timeout_ms: float = DEFAULT_TIMEOUT_MS) -> None:
        self.scoped = scoped
        # How long each of the brand owner's own regexes may run on this reply.
        self.regex_timeout_ms = regex_timeout_ms
        self.text = scoped.original
        self.masked = scoped.masked
        self.blocks = scoped.blocks
        lowered = self.masked.lower()
        if len(lowered) != len(self.masked):
            # A few letters lower-case to two characters (İ); keep those so offsets still agree.
            lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in self.masked)
        self.lower = lowered

    @cached_property
    def word_list(self) -> list[str]:
        """Every word of the prose, in order (one scan: outside the prose blocks the masked
        text is blank or markup). Rules read this; positions are found only for findings."""
        return _WORD.findall(self.masked)

    @cached_property
    def words(self) -> list[tuple[int, int, str]]:
        """Every word with its offsets, as (start, end, word): a rule asks for this only when
        it has something to report (it costs as much as the rest of a word-level check)."""
        return [(m.start(), m.end(), m.group()) for m in _WORD.finditer(self.masked)]

    @cached_property
    def lowered_words(self) -> list[str]:
        """The words, lower-cased, in the same order as ``word_list``."""
        return [word.lower() for word in self.word_list]

    @cached_property
    def sentences(self) -> list[Span]:
        """Sentence spans: blocks split after . ! ? unless an abbreviation or lowercase follows."""
        spans: list[Span] = []
        for start, end in self.blocks:
            cursor = start
            for match in _SENTENCE_END.finditer(self.masked, start, end):
                if match.end() < end and not _ends_sentence(
                    self.masked, match.start(), match.end()
                ):
                    continue
                spans.append((cursor, match.end()))
                cursor = _skip_space(self.masked, match.end(), end)
            if cursor < end and self.masked[cursor:end].strip():
                spans.append((cursor, end))
        return [span for span in spans if self.masked[span[0] : span[1]].strip()]

    def words_in(self, span: Span) -> int:
        return len(_WORD.findall(self.masked, span[0], span[1]))

    @cached_property
    def prose(self) -> str:
        """The prose blocks joined, whitespace and dashes evened out, lower-cased (for
        comparing with a required text)."""
        joined = " ".join(self.lower[start:end] for start, end in self.blocks)
        return _SPACES.sub(" ", joined.replace("–", "-").replace("—", "-")).strip()

    @property
    def first_block(self) -> Span | None:
        return self.blocks[0] if self.blocks else None

    @property
    def last_block(self) -> Span | None:
        return self.blocks[-1] if self.blocks else None


def _ends_sentence(text: str, mark: int, after: int) -> bool:
    word_start = mark
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    if text[word_start:mark].lower().strip("(\"'") in _ABBREVIATIONS:
        return False
    following = _skip_space(text, after, len(text))
    return following >= len(text) or not text[following].islower()


def _skip_space(text: str, position: int, end: int) -> int:
    while position < end and text[position].isspace():
        position += 1
    return position


@lru_cache(maxsize=20_000)
def syllables(word: str) -> int:
    """An English syllable estimate (vowel groups, silent final e), good enough for a grade."""
    word = word.lower().strip("'-")
    if not word:
        return 0
    if word.isdigit():
        return max(1, len(word) // 2)
    count = len(_VOWEL_GROUPS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    return max(1, count)
