"""Names found by rule: the slots of a ticket where a name stands, and names that spell an address.

The small spaCy model often misses a name alone on a line after a sign-off ("Thanks,\\nHellmuth")
or after a greeting ("Hi Claudia,"). Those slots are read by rule: capitalised, name-shaped
words right after a greeting, a sign-off, an introduction ("this is …") or a signature dash,
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
        # (where a slot starts, whether it is an introduction); see _name_at.
        slots = [
            (rf"(?im)^{SP}*{phrases(names.greetings)}{SP}+", False),
            (
                rf"(?im)(?:^|(?<=[.!?]){SP}){SP}*{phrases(names.sign_offs)}"
                rf"(?:{SP}*[,.!]?{SP}*\n{SP}*|{SP}*,{SP}*)",
                False,
            ),
            (rf"(?m)^{SP}*[—–]{SP}*", False),  # a signature: "— Jess, Fernhill Support"
            (rf"(?i){phrases(names.introductions)}(?:{SP}*[:,]{SP}*|{SP}+)", True),
        ]
        self._patterns = [(re.compile(p), intro) for p, intro in slots]

    def find(self, text: str, view: str) -> list[Span]:
        """Names in the slots of the prose ``view`` of ``text``, and in its addresses."""
        return [*self._slot_names(view), *self._address_names(text, view)]

    def _slot_names(self, text: str) -> Iterator[Span]:
        for pattern, introduction in self._patterns:
            for match in pattern.finditer(text):
                span = self._name_at(text, match.end(), introduction=introduction)
                if span:
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


def phrases(alternatives: Sequence[str]) -> str:
    """A regex matching any of the phrases as whole words, blanks between words as any blanks."""
    if not alternatives:
        return "(?!)"  # matches nothing
    joined = "|".join(re.escape(p).replace(r"\ ", rf"{SP}+") for p in alternatives)
    return rf"\b(?:{joined})\b"
