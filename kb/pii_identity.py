"""Identity numbers and dates of birth that customers type into tickets: UK National Insurance
numbers (UK_NINO) and dates of birth (DATE_OF_BIRTH).

* A National Insurance number is two letters, six digits and a letter A–D (``AB 12 34 56 C``).
  Written in capitals and in groups with HMRC's prefix rules (Presidio's ``UkNinoRecognizer``:
  no D, F, I, Q, U or V first, no BG, GB, NK, KN, NT, TN or ZZ) it is one on its own; after
  "National Insurance", "NI number" or "NINO" any letters, case and spacing count, HMRC's own
  example prefix ``QQ`` included. ``XY123456A`` alone is a part number.
* A date is only a date of birth after "date of birth", "DOB", "born", "birthday" (or their
  German, French and Spanish words): ``14/03/1986``, ``1986-03-14``, ``14 March 1986``,
  ``March 14, 1986``. Other dates (invoice dates, pay dates) are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

UK_NINO = "UK_NINO"
DATE_OF_BIRTH = "DATE_OF_BIRTH"
SCORE = 0.85

_SP = r"[^\S\n]"
# Found from its first digit, right after a letter (and a blank): the regex engine then tries
# only digits, not every letter of the text. The two letters are checked after.
_NINO_DIGITS = re.compile(
    rf"\d(?:(?<=[A-Za-z]\d)|(?<=[A-Za-z][ \t]\d))\d{_SP}?\d\d{_SP}?\d\d{_SP}?[A-Da-d](?![\w-])"
)
_NINO_LETTERS = re.compile(rf"(?<![\w-])[A-Za-z]{{2}}{_SP}?\Z")
_HMRC_RULES = re.compile(
    rf"(?!BG|GB|NK|KN|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]{_SP}?\d\d{_SP}?\d\d{_SP}?"
    rf"\d\d{_SP}?[A-D]\Z"
)
_FILLER = rf"(?:{_SP}|[:#=.,()'\"-]|\b(?:is|was|no|number|num|of|the|my|her|his|their|on|file)\b)*"
_NINO_CUE = re.compile(rf"(?i)\b(?:national{_SP}+insurance|ni|nino|nin){_FILLER}\Z")
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DATE = (
    rf"(?:\d\d?[/.-]\d\d?[/.-](?:\d{{4}}|\d\d)|\d{{4}}-\d\d-\d\d"
    rf"|\d\d?(?:st|nd|rd|th)?{_SP}+(?:{_MONTHS})\.?,?{_SP}+\d{{4}}"
    rf"|(?:{_MONTHS})\.?{_SP}+\d\d?(?:st|nd|rd|th)?,?{_SP}+\d{{4}})(?![\w/-]|\.\d)"
)
# The cue ends where the date may start (after filler words): "date of birth: 14/03/1986",
# "born on 14 March 1986", "geboren am 14.03.1986", "née le 14/03/1986".
_BIRTH_CUE = re.compile(
    r"(?i)(?:birth(?:day|date)?|d\.?o\.?b\b\.?|\bborn|geburtsdatum|geboren|naissance|\bnée?"
    r"|nacimiento)"
)
_BIRTH_WORDS = (
    *("birth", "dob", "d.o.b", "born", "geburt", "geboren", "naissance", "né", "nacimiento"),
)
_DATE_AFTER = re.compile(
    rf"(?:{_SP}|[:#=.,()'\"-]|\b(?:is|was|on|am|le|el|the|of|her|his|my)\b)*(?P<date>{_DATE})"
)
_CUE_WINDOW = 40


class _CuedRecognizer(EntityRecognizer):
    def __init__(self, entity: str, name: str) -> None:
        super().__init__(supported_entities=[entity], name=name, supported_language="en")

    def load(self) -> None:
        """Nothing to load: regular expressions only."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        entity = self.supported_entities[0]
        if entity not in entities:
            return []
        return [RecognizerResult(entity, start, end, SCORE) for start, end in self.find(text)]

    def find(self, text: str) -> Iterator[tuple[int, int]]:
        raise NotImplementedError


class NinoRecognizer(_CuedRecognizer):
    """UK National Insurance numbers (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(UK_NINO, "TandemUkNino")

    def find(self, text: str) -> Iterator[tuple[int, int]]:
        for digits in _NINO_DIGITS.finditer(text):
            letters = _NINO_LETTERS.search(text, max(0, digits.start() - 3), digits.start())
            if letters is None:
                continue
            start, end = letters.start(), digits.end()
            value = text[start:end]
            # A compact AB123456C is also a part or serial number: it needs the cue.
            spaced = " " in value or "\t" in value
            if (spaced and _HMRC_RULES.match(value)) or _cued(_NINO_CUE, text, start):
                yield start, end


class BirthDateRecognizer(_CuedRecognizer):
    """Dates right after "date of birth", "DOB", "born" (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(DATE_OF_BIRTH, "TandemDateOfBirth")

    def find(self, text: str) -> Iterator[tuple[int, int]]:
        # A case-insensitive scan of every text is slow; the cue words are rare, so look first.
        folded = text.lower()
        if not any(word in folded for word in _BIRTH_WORDS):
            return
        for cue in _BIRTH_CUE.finditer(text):
            after = _DATE_AFTER.match(text, cue.end(), min(len(text), cue.end() + _CUE_WINDOW))
            if after:
                yield after.span("date")


def _cued(cue: re.Pattern[str], text: str, start: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    return bool(cue.search(text[max(line_start, start - _CUE_WINDOW) : start]))
