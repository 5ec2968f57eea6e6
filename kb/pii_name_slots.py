"""Names found by rule: the slots of a ticket where a name stands, and names that spell an address.

The small spaCy model often misses a name alone on a line after a sign-off ("Thanks,\\nHellmuth")
or after a greeting ("Hi Claudia,"). Those slots are read by rule: capitalised, name-shaped
words right after a greeting, a sign-off, an introduction ("this is …") or a signature dash, or
opening a line before "here," ("Rémy Blanc here, I look after billing"),
unless they are allow-listed or one of the policy's common words. So are capitalised words that
spell an e-mail address in the same text ("Sophie Laurent (sophie.laurent@…)", which the model
calls an organisation).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from kb.pii_name_shape import Token, token_kind
from kb.pii_policy import NamePolicy
from kb.pii_vocabulary import CONTRACTION, CommonWords

Span = tuple[int, int, float]
SLOT_SCORE = 0.8

SP = r"[^\S\n]"  # a blank inside one line
WORD = re.compile(r"[^\W\d_][\w'’-]*")
_BLANKS = re.compile(rf"{SP}+")
_EMAIL_LOCAL = re.compile(r"(?<![\w.+-])([\w.+-]+)@[\w-]+(?:\.[\w-]+)+")
_LOCAL_SPLIT = re.compile(r"[._+\-\d]+")
_CAPITAL_WORD = re.compile(r"(?<![\w@.])[A-ZÀ-ÖØ-Þ][\w'’-]*")
_CLAUSE_END = re.compile(rf"{SP}*(?:[,.!:;)\n]|\(|$)")
_GLUED = re.compile(r"[._/\\@:]\w")  # "Hi Console.WriteLine"
# One to three words opening a line or a sentence, then "here" and a comma or a dash.
# "… here," and the one to three words before it, which must open a line or a sentence.
_HERE = re.compile(rf"here\b(?={SP}*[,.!;:—–-])")
_WORDS_BEFORE_HERE = re.compile(rf"(?P<name>{WORD.pattern}(?:{SP}+{WORD.pattern}){{0,2}}){SP}+\Z")
_SENTENCE_END_BEFORE = re.compile(rf"[.!?]{SP}+\Z")
_SLOT_TOKENS = (Token.NAME, Token.TITLE)
# Words that fill a greeting or sign-off slot without being a name ("Hi team", "Best, The …").
NOT_NAMES = frozenset(
    {
        *("a", "all", "again", "an", "both", "colleague", "colleagues", "customer", "customers"),
        *("everybody", "everyone", "folks", "for", "friend", "friends", "guys", "in", "it"),
        *("madam", "me", "my", "our", "sir", "so", "support", "team", "that", "the", "them"),
        *("there", "this", "us", "you", "your"),
    }
)


class NameSlots:
    """Finds names in the slots of one text and in its e-mail addresses."""

    def __init__(
        self, names: NamePolicy, *, common: CommonWords, not_names: frozenset[str]
    ) -> None:
        self._common = common
        self._not_names = not_names
        # (the cue, where it must stand, whether it is an introduction); see _name_at. The cues
        # are searched for in the lower-cased text, phrase first, and where they stand is
        # checked after: a regex that starts with a phrase lets the engine skip the positions
        # no phrase starts at (a case-insensitive one, or one starting with "^" or a
        # lookbehind, tries every position: that was a tenth of redaction time on long docs).
        slots = [
            (rf"{_phrases_first(names.greetings)}{SP}+", _line_start, False),
            (
                rf"{_phrases_first(names.sign_offs)}(?:{SP}*[,.!]?{SP}*\n{SP}*|{SP}*,{SP}*)",
                _line_or_sentence_start,
                False,
            ),
            (rf"[—–]{SP}*", _line_start, False),  # a signature: "— Jess, Fernhill Support"
            (rf"{_phrases_first(names.introductions)}(?:{SP}*[:,]{SP}*|{SP}+)", _word_start, True),
        ]
        self._patterns = [(re.compile(p), where, intro) for p, where, intro in slots]
        # For the rare text that lower-casing makes longer ("İ"): the same, ignoring case.
        self._patterns_ignoring_case = [
            (re.compile(p, re.I), where, intro) for p, where, intro in slots
        ]

    def find(self, text: str, view: str) -> list[Span]:
        """Names in the slots of the prose ``view`` of ``text``, and in its addresses."""
        return [*self._slot_names(view), *self._address_names(text, view)]

    def _slot_names(self, text: str) -> Iterator[Span]:
        lowered = text.lower()
        patterns = self._patterns
        if len(lowered) != len(text):
            lowered, patterns = text, self._patterns_ignoring_case
        for pattern, where, introduction in patterns:
            for match in pattern.finditer(lowered):
                if not where(text, match.start()):
                    continue
                span = self._name_at(text, match.end(), introduction=introduction)
                if span:
                    yield span[0], span[1], SLOT_SCORE
        # "Rémy Blanc here, I look after billing": the introduction follows the name.
        for here in _HERE.finditer(text):
            words = _WORDS_BEFORE_HERE.search(text, max(0, here.start() - 80), here.start())
            if words is None or not _line_or_sentence_start(text, words.start()):
                continue
            span = self._name_at(text, words.start(), introduction=True)
            if span and span[1] == words.end("name"):
                yield span[0], span[1], SLOT_SCORE

    def _address_names(self, text: str, view: str) -> Iterator[Span]:
        """Capitalised words in the prose ``view`` that spell the local part of an e-mail
        address anywhere in the text: "Sophie Laurent (sophie.laurent@…)", "Kevin Brandt …
        kbrandt@…"."""
        if "@" not in text:
            return
        parts = {
            part
            for local in _EMAIL_LOCAL.findall(text)
            for part in _LOCAL_SPLIT.split(local.casefold())
            if len(part) > 1
        }
        words = [w for w in _CAPITAL_WORD.finditer(view) if token_kind(w[0]) is Token.NAME]
        for i, word in enumerate(words):
            first = word[0].casefold()
            if first in self._not_names:
                continue
            if first in parts and first not in self._common:
                yield word.start(), word.end(), SLOT_SCORE
            after = words[i + 1] if i + 1 < len(words) else None
            if after is None or not _BLANKS.fullmatch(view, word.end(), after.start()):
                continue
            last = after[0].casefold()
            if last not in self._not_names and (
                {first, last} <= parts or first[0] + last in parts or first + last in parts
            ):
                yield word.start(), after.end(), SLOT_SCORE

    def _name_at(self, text: str, pos: int, *, introduction: bool) -> tuple[int, int] | None:
        """One to three capitalised words starting at ``pos``. After a greeting or sign-off
        they must end the clause ("Hi Claudia,"); after an introduction ("this is Ana Lima
        from …") one of them must be an unusual word."""
        words: list[str] = []
        end = pos
        for match in WORD.finditer(text, pos, min(len(text), pos + 80)):
            gap = text[end : match.start()]
            shaped = _capitalised(match[0]) and token_kind(match[0]) in _SLOT_TOKENS
            # The name starts right at the slot ("To call a contact:\n+ Alexa" has none).
            if not shaped or (gap if not words else not _BLANKS.fullmatch(gap)):
                break
            words.append(match[0])
            end = match.end()
            if len(words) == 3:
                break
        if not words or _GLUED.match(text, end):
            return None
        folded = [w.casefold() for w in words]
        if any(w in self._not_names for w in folded):
            return None
        if introduction:
            return None if all(w in self._common for w in folded) else (pos, end)
        return (pos, end) if _CLAUSE_END.match(text, end) else None


def _capitalised(word: str) -> bool:
    """Capitalised like a name: not lower case, not an acronym (IBAN, HMRC's), no digits (P60s)."""
    base = CONTRACTION.sub("", word)
    return base[:1].isupper() and not base.isupper() and not any(c.isdigit() for c in base)


def _phrases_first(alternatives: Sequence[str]) -> str:
    """``phrases`` without the leading word boundary (see NameSlots.__init__)."""
    return phrases(alternatives).removeprefix(r"\b")


def _word_start(text: str, start: int) -> bool:
    return start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_")


def _line_start(text: str, start: int) -> bool:
    """Whether only blanks stand between the start of the line and ``start``."""
    line_start = text.rfind("\n", 0, start) + 1
    return not text[line_start:start].strip()


def _line_or_sentence_start(text: str, start: int) -> bool:
    """Whether ``start`` opens a line, or a sentence after . ! or ? and a blank."""
    if _line_start(text, start):
        return True
    line_start = text.rfind("\n", 0, start) + 1
    return bool(_SENTENCE_END_BEFORE.search(text, max(line_start, start - 20), start))


def phrases(alternatives: Sequence[str]) -> str:
    """A regex matching any of the phrases as whole words, blanks between words as any blanks.

    The phrases share their beginnings in one tree ("best", "best regards", "best wishes"), so
    the engine reads each letter once instead of trying every phrase in turn: with a hundred
    phrases in several languages, a plain alternation cost a tenth of redaction time. The
    longest phrase that matches wins, as in an alternation sorted longest first."""
    if not alternatives:
        return "(?!)"  # matches nothing
    tree: _Tree = {}
    for phrase in alternatives:
        node = tree
        for char in " ".join(phrase.split()):
            node = node.setdefault(char, {})
        node[""] = {}  # a phrase ends here
    return rf"\b{_branches(tree)}\b"


_Tree = dict[str, "_Tree"]


def _branches(node: _Tree) -> str:
    """The regex of a phrase tree: each branch a character and the tree below it."""
    branches = [
        (rf"{SP}+" if char == " " else re.escape(char)) + _branches(below)
        for char, below in sorted(node.items())
        if char
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    # Where a phrase ends and longer ones go on, the longer are tried first (greedy "?").
    return f"(?:{body})?" if "" in node else body
