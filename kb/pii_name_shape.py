"""What a person's name looks like, written down: the token rules the name finder applies.

spaCy's small model calls almost any capitalised token in technical text a PERSON
(``WriteLine``, ``java.util``, ``JSON``, ``\\.NET``). A name is made of words of letters, with
hyphens and apostrophes inside (``Jean-Luc``, ``O'Brien``), capitalised once (``McDonald``,
``MacLeod``, ``DeVries`` and ``LeBlanc`` are the usual inner capitals), joined by lower-case
particles (``Anke de Vries``, ``Ludwig van Beethoven``), titles and initials. So a candidate is
no name when a token holds a digit, ``_``, a dot (other than an initial's), a slash, a bracket
or any other symbol; when it has other inner capitals (``KeySchema``); when it is lower case
and no particle (``catch``), or all capitals (``EMR``).

The rules both reject candidates the model found and decide, in the NER gate, whether a
sentence could hold a name at all.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache

# Lower-case words inside names: "Anke de Vries", "Ludwig van Beethoven", "Omar bin Laden".
PARTICLES = frozenset(
    {
        *("al", "bin", "bint", "da", "das", "de", "del", "della", "den", "der", "des", "di"),
        *("do", "dos", "du", "el", "ibn", "la", "le", "ten", "ter", "van", "von", "zu"),
    }
)
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame"})
# Prefixes after which a name has a second capital: McDonald, MacLeod, DeVries, LeBlanc.
_PREFIXES = ("Mc", "Mac", "De", "Di", "Da", "Du", "La", "Le", "Van", "Von", "Fitz", "St")
_LETTERS = re.compile(r"[^\W\d_]+")
_PARTS = re.compile(r"['’-]")
_POSSESSIVE = re.compile(r"['’]s$")
# What may surround a word in prose without being part of it: quotes, brackets, emphasis.
_EDGE = "\"“”‘'()[]{}*_,;:!?."


class Token(Enum):
    """What a whitespace-separated token can be inside a person's name."""

    NAME = "name"  # Ana, Jean-Luc, O'Brien, McDonald
    PARTICLE = "particle"  # de, van
    INITIAL = "initial"  # J. or J
    TITLE = "title"  # Mr, Dr.


@lru_cache(maxsize=1 << 16)
def token_kind(token: str) -> Token | None:
    """What ``token`` (no surrounding punctuation) is in a name; None if it cannot be part
    of one. Memoised: technical text repeats its tokens."""
    if token.endswith("."):
        bare = token[:-1]
        if bare.casefold() in TITLES:
            return Token.TITLE
        return Token.INITIAL if len(bare) == 1 and bare.isupper() else None
    if token.casefold() in TITLES and token[:1].isupper():
        return Token.TITLE
    if len(token) == 1:
        return Token.INITIAL if token.isupper() and token.isalpha() else None
    if token in PARTICLES:
        return Token.PARTICLE
    parts = _PARTS.split(_POSSESSIVE.sub("", token))
    if not all(part and _LETTERS.fullmatch(part) for part in parts):
        return None  # digits, _, dots, slashes, brackets, >, //, \ …
    if any(part not in PARTICLES and not _capitalised_once(part) for part in parts):
        return None
    return Token.NAME if any(part not in PARTICLES for part in parts) else Token.PARTICLE


def _capitalised_once(part: str) -> bool:
    """Ana, O (of O'Brien), McDonald, DeVries: not KeySchema, JSON or catch."""
    if not part[0].isupper():
        return False
    rest = part[1:]
    if not any(c.isupper() for c in rest):
        return True
    for prefix in _PREFIXES:
        tail = part[len(prefix) :]
        if part.startswith(prefix) and len(tail) > 1 and tail[0].isupper():
            return not any(c.isupper() for c in tail[1:])
    return False


def name_tokens(span: str) -> list[Token] | None:
    """The kinds of the tokens of a candidate, or None if it cannot be a person's name: every
    token must be able to be part of one, and the last must be a name word."""
    kinds = [token_kind(token) for token in span.split()]
    if not kinds or kinds[-1] is not Token.NAME:
        return None
    if any(kind is None for kind in kinds):
        return None
    return [kind for kind in kinds if kind is not None]


def name_words(span: str) -> list[str]:
    """The name words of a name-shaped span (no titles, particles or initials)."""
    return [token for token in span.split() if token_kind(token) is Token.NAME]


def strip_edges(token: str) -> str:
    """A token of prose without the punctuation around it: ``**Ana,`` → ``Ana``."""
    return token.strip(_EDGE)
