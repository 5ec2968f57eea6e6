"""Bank details: UK sort codes and bank account numbers, found only where the text says so.

IBANs carry a checksum and are found on their own (Presidio's ``IbanRecognizer``, see
``kb.pii_patterns``). A sort code or an account number is only digits: ``20-00-00`` is also a
date written the British way and ``12345678`` an order number, an error code or an AWS account
id. So, as a bank's or a helpdesk's redaction does, these are found by their context: the cue
before them, and the sentence around them ("about a bank": bank, transfer, refund, payout,
payee, BACS, IBAN, …, or bank details next to the value; and not about AWS or the cloud):

* a sort code (``20-00-00``, ``20 00 00``, ``200000``) right after "sort code" (``s/c``), in
  any of its forms, or next to an 8-digit account number ("20-00-00 55779911",
  "55779911 (20-00-00)"; unhyphenated only in a sentence about a bank); after a bare "sort" in
  a sentence about a bank; anywhere else in such a sentence only hyphenated, and never when it
  reads as a date (``12-03-24``);
* an account number (6 to 17 digits, maybe in groups: ``5577 9911``) right after "account
  number", "account no", "acct", "a/c" or "bank account"; after a bare "account" only in a
  sentence about a bank ("sort code 60-83-71, account 12345678"); and 8 digits next to a sort
  code.

Never: an "AWS account" or an "account id" (technical documentation is full of
``123456789012``), digits glued to a longer token (``arn:aws:iam::123456789012``,
``INV-12345678``), or a number with a decimal point (the redactor drops those).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

SORT_CODE = "UK_SORT_CODE"
BANK_ACCOUNT = "BANK_ACCOUNT"
STRONG_SCORE = 0.85  # a cue names the value ("sort code 20-00-00")
CONTEXT_SCORE = 0.6  # the line is about a bank ("account 55779911, 20-00-00")

_SP = r"[^\S\n]"
# Not glued to a longer token (an order id, a version, an ARN); "#" may lead ("a/c #1234…").
_START = r"(?<![\w+@/.:\\-])"
_END = r"(?![\w-]|[.,/]\d)"
_SORT_FORMS = rf"(?:\d\d-\d\d-\d\d|\d\d{_SP}\d\d{_SP}\d\d|\d{{6}})"
# (The boundary is checked after the first digit: the regex engine then tries only digits.)
_SORT_VALUE = re.compile(
    rf"\d(?<![\w+@/.:\\-]\d)(?:\d-\d\d-\d\d|\d{_SP}\d\d{_SP}\d\d|\d{{5}}){_END}"
)
_UK_ACCOUNT = rf"(?:\d{{8}}|\d{{4}}{_SP}\d{{4}})"
_ACCOUNT_VALUE = re.compile(
    rf"{_START}#?(?:\d{{6,17}}|\d{{2,6}}(?:(?:-|{_SP})\d{{2,6}}){{1,3}}){_END}"
)
_DIGITS = re.compile(r"\d")
_DIGIT_RUN = re.compile(r"#?\d+")
_CUE_WORD = re.compile(r"[Aa](?:[Cc][Cc]|/[Cc])")  # acc, account, acct, a/c
# Words and marks allowed between a cue and its value: "account number is 12345678",
# "sort code: 20-00-00", "a/c no. #12345678", "account ending in 5544 7788".
_FILLER = (
    rf"(?:{_SP}|[:#=.,()'\"-]|\b(?:is|was|are|no|num|nr|number|ending|in|of|the|my|our|your|"
    r"her|his|their|new|old|details|on|file|with|be|will|should|to|for)\b)*"
)
_SORT_CUE = re.compile(rf"(?i)\b(?:sort{_SP}*-?{_SP}*code|s/c)\b{_FILLER}\Z")
_BARE_SORT_CUE = re.compile(rf"(?i)\bsort\b{_FILLER}\Z")  # "acc no. 1234 5678 / sort 20-00-00"
_ACCOUNT_CUE = re.compile(
    rf"(?i)\b(?P<cue>bank{_SP}+account|account{_SP}*(?:number|no\b\.?|num\b|nr\b|\#)"
    rf"|acc(?:t|ount)?\.?{_SP}*(?:no\b\.?|number|\#)|acct\b\.?|a/c\b|account\b)"
    rf"{_FILLER}\Z"
)
# A bare "account" is a cue only on a line about a bank.
_BARE_ACCOUNT = re.compile(r"(?i)\Aaccount\Z")
_BANK_LINE = re.compile(
    rf"(?i)\b(?:sort{_SP}*-?{_SP}*code|s/c|bank|banking|bacs|iban|bic|swift|routing|"
    rf"building{_SP}+society|transfer|refund|payout|payee|deposit|checking|savings|"
    rf"current{_SP}+account|a/c|acct|acc)\b"
    # Bank details next to the value vouch for it: "account 13404588 sort 20-94-19".
    rf"|\bsort{_SP}+{_SORT_FORMS}(?!\d)|\b(?:account|acc|acct|a/c)\.?{_SP}+{_UK_ACCOUNT}(?!\d)"
)
# A sentence ends at . ! or ? before a capital: not in "acc no. 1234" or "a/c. 5678".
_SENTENCE_END = re.compile(rf"[.!?]{_SP}+(?=[A-Z])")
# "AWS account number", "the Amazon account": a cloud account, not a bank's.
_CLOUD = re.compile(r"(?i)\b(?:aws|amazon|azure|gcp|cloud|iam)\b")
# dd-mm-yy: "12-03-24" is a date; "20-00-00" and "60-83-71" are not.
_DATE_LIKE = re.compile(r"\A(0[1-9]|[12]\d|3[01])-(0[1-9]|1[0-2])-\d\d\Z")
_CUE_WINDOW = 48  # how far before a value its cue may start
_LINE_WINDOW = 100  # how far on either side a sentence "about a bank" is read
# Between a sort code and the account number right after it: "20-00-00, a/c 55779911".
_BETWEEN = rf"{_SP}*[,/;]?{_SP}*(?:(?:a/c|acc(?:t|ount)?)\.?{_SP}*)?"
_ACCOUNT_AFTER = re.compile(rf"(?i){_BETWEEN}(?<![\d-]){_UK_ACCOUNT}{_END}")
_SORT_CODE_BEFORE = re.compile(rf"(?i)(?<![\w+@/.:\\-])(?P<sort>{_SORT_FORMS}){_BETWEEN}\Z")
# An account right before the sort code, and the other way round: "71877729 (30-97-65)".
_ACCOUNT_BEFORE = re.compile(rf"(?<![\d-]){_UK_ACCOUNT}{_SP}*[,/;(]?{_SP}*\Z")
_SORT_CODE_AFTER = re.compile(
    rf"(?i){_SP}*[,/;(]?{_SP}*(?:(?:s/c|sort(?:{_SP}*code)?)\.?:?{_SP}*)?(?P<sort>{_SORT_FORMS})"
    rf"(?![\d-])"
)


class _LineRecognizer(EntityRecognizer):
    """A recognizer that reads the text around each candidate on its own line."""

    def __init__(self, entity: str, name: str) -> None:
        super().__init__(supported_entities=[entity], name=name, supported_language="en")

    def load(self) -> None:
        """Nothing to load: regular expressions only."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if not set(entities) & set(self.supported_entities):
            return []
        entity = self.supported_entities[0]
        return [
            RecognizerResult(entity, start, end, score) for start, end, score in self.find(text)
        ]

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        raise NotImplementedError


class SortCodeRecognizer(_LineRecognizer):
    """UK sort codes, by their cue or on a line about a bank (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(SORT_CODE, "TandemUkSortCode")

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        for match in _SORT_VALUE.finditer(text):
            start, end = match.span()
            value = match[0]
            hyphens = "-" in value
            if _cue_before(_SORT_CUE, text, start):
                yield start, end, STRONG_SCORE
            elif _ACCOUNT_AFTER.match(text, end) and (hyphens or _bank_line(text, start, end)):
                yield start, end, STRONG_SCORE  # "20-00-00 55779911"
            elif _ACCOUNT_BEFORE.search(text, max(0, start - 14), start) and (
                hyphens or _bank_line(text, start, end)
            ):
                yield start, end, STRONG_SCORE  # "55779911 (20-00-00)"
            elif _cue_before(_BARE_SORT_CUE, text, start) and _bank_line(text, start, end):
                yield start, end, CONTEXT_SCORE  # "acc no. 1234 5678 / sort 200000"
            elif hyphens and not _DATE_LIKE.match(value) and _bank_line(text, start, end):
                yield start, end, CONTEXT_SCORE


class BankAccountRecognizer(_LineRecognizer):
    """Bank account numbers, by their cue or after a sort code (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(BANK_ACCOUNT, "TandemBankAccount")

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        # Only digits shortly after "acc", "a/c" or a sort code can be one; every run of digits
        # there may start one ("18 13 07 8234 9604": the last two groups, after a sort code).
        starts = {
            run.start()
            for start, end in [
                *((cue.end(), cue.end() + _CUE_WINDOW) for cue in _CUE_WORD.finditer(text)),
                *((max(0, s.start() - 30), s.end() + 30) for s in _SORT_VALUE.finditer(text)),
            ]
            for run in _DIGIT_RUN.finditer(text, start, end)
        }
        taken = 0
        for position in sorted(starts):
            match = _ACCOUNT_VALUE.match(text, position)
            if match is None or match.start() < taken:
                continue
            start, end = match.span()
            digits = len(_DIGITS.findall(match[0]))
            if not 6 <= digits <= 17:
                continue
            score = self._cued(text, start, end)
            if score is None and digits == 8:
                before = _SORT_CODE_BEFORE.search(text, max(0, start - 30), start)
                after = _SORT_CODE_AFTER.match(text, end)
                sort = before or after
                if sort and ("-" in sort["sort"] or _bank_line(text, start, end)):
                    score = STRONG_SCORE  # "20-00-00 55779911", "71877729 (30-97-65)"
            if score is not None:
                taken = end
                yield start, end, score

    def _cued(self, text: str, start: int, end: int) -> float | None:
        cue = _cue_before(_ACCOUNT_CUE, text, start)
        if cue is None:
            return None
        cue_start = start - len(cue.string) + cue.start()
        line_start = text.rfind("\n", 0, cue_start) + 1
        # "AWS account number 123456789012", "your Amazon account": not a bank's.
        if _CLOUD.search(text, max(line_start, cue_start - 24), cue_start):
            return None
        if _BARE_ACCOUNT.match(cue["cue"]):
            return CONTEXT_SCORE if _bank_line(text, start, end) else None
        return STRONG_SCORE


def _cue_before(cue: re.Pattern[str], text: str, start: int) -> re.Match[str] | None:
    """The cue that ends right before ``start``, only filler words between, on its line.
    (The pattern ends in ``\\Z``; its match's offsets are into the window.)"""
    line_start = text.rfind("\n", 0, start) + 1
    return cue.search(text[max(line_start, start - _CUE_WINDOW) : start])


def _bank_line(text: str, start: int, end: int) -> bool:
    """Whether the sentence around ``text[start:end]`` (near it, on its line) is about a bank,
    not the cloud."""
    line_start = max(text.rfind("\n", 0, start) + 1, start - _LINE_WINDOW)
    line_end = text.find("\n", end)
    line_end = min(len(text) if line_end < 0 else line_end, end + _LINE_WINDOW)
    before = text[line_start:start]
    after = text[end:line_end]
    # Only the value's own sentence: "… account 12345678. Our AWS account …" is two.
    ends = list(_SENTENCE_END.finditer(before))
    if ends:
        before = before[ends[-1].end() :]
    following = _SENTENCE_END.search(after)
    if following:
        after = after[: following.start()]
    around = before + " " + after
    return bool(_BANK_LINE.search(around)) and not _CLOUD.search(around)
