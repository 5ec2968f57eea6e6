"""Presidio pattern recognizers tuned for support tickets: phones, cards, IBANs and e-mails
(and the registry of every pattern-based recognizer: bank details in ``kb.pii_bank``, postal
addresses in ``kb.pii_address``, National Insurance numbers and dates of birth in
``kb.pii_identity``).

Stock Presidio misses or under-scores several things tickets are full of:

* phones: its libphonenumber recognizer scores 0.4 and needs a spaCy context boost to pass a
  0.5 threshold, it skips numbers libphonenumber calls invalid (the UK drama range
  ``+44 7700 900123``), and spaCy lists "call" as a stop word, so "call me on …" never boosts;
* Mastercard's 2-series (2221–2720) is not in its card pattern at all;
* it drops an e-mail address whose top-level domain is not on the Public Suffix List
  (``.example``, ``.test``, ``.local``), which are still somebody's address.

Patterns here are scored so that a match alone passes the policy's threshold, and never span a
line break (a document's fields are joined by blank lines). Nothing here touches spaCy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence

import phonenumbers
import tldextract
import tldextract.tldextract
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    PhoneRecognizer,
)

from kb.pii_address import ADDRESS, AddressRecognizer
from kb.pii_bank import BANK_ACCOUNT, SORT_CODE, BankAccountRecognizer, SortCodeRecognizer
from kb.pii_identity import DATE_OF_BIRTH, UK_NINO, BirthDateRecognizer, NinoRecognizer

# Blanks inside one line: a number written across a line break is two numbers to us.
_SP = r"[^\S\n]"
_SEP = rf"(?:{_SP}?[.-]{_SP}?|{_SP})"
# Not glued to a longer token on either side (an order id, a version, a card).
_START = r"(?<![\w+@/.-])"
_END = r"(?![\w-]|[.,]\d)"

PHONE_PATTERNS = [
    # NANP: (415) 555-0142, 415-555-0142, 415.555.0142, +1 415 555 0142
    Pattern(
        "nanp",
        rf"{_START}(?:\+?1{_SEP})?(?:\([2-9]\d\d\){_SP}?|[2-9]\d\d{_SEP})[2-9]\d\d{_SEP}\d{{4}}{_END}",
        0.7,
    ),
    # International: +44 20 7946 0321, +49 30 1234567, +33 1 23 45 67 89, +44 (0)20 7946 0321
    Pattern(
        "international",
        rf"(?<![\w+])\+[1-9]\d{{0,2}}(?:{_SP}?\(0\))?(?:{_SEP}?\d{{1,5}}){{1,6}}{_END}",
        0.7,
    ),
    # National with a trunk 0: 020 7946 0321, 07700 900123, 030 1234567, 01 23 45 67 89
    Pattern(
        "national",
        rf"{_START}(?:\(0\d{{1,4}}\)|0\d{{1,4}})(?:(?:{_SEP}|/)\d{{2,8}}){{1,4}}{_END}",
        0.6,
    ),
    # A UK mobile written without spaces (07700900123); libphonenumber skips invalid ranges.
    Pattern("uk_mobile", rf"{_START}07\d{{9}}{_END}", 0.6),
]
PHONE_CONTEXT = ["phone", "tel", "telephone", "mobile", "cell", "number", "call", "ring", "sms"]

_DIGIT = re.compile(r"\d")
_TRUNK_ZERO = re.compile(r"\(0\)")


class PhonePatternRecognizer(PatternRecognizer):
    """The phone patterns above, keeping only matches with a plausible number of digits."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="PHONE_NUMBER",
            name="TandemPhonePatterns",
            patterns=PHONE_PATTERNS,
            context=PHONE_CONTEXT,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = len(_DIGIT.findall(_TRUNK_ZERO.sub("", pattern_text)))
        # E.164 allows at most 15 digits; fewer than 9 is a date, an amount or a reference.
        # None keeps the pattern's score (True would raise it to 1.0).
        return None if 9 <= digits <= 15 else False


class LibPhoneRecognizer(PhoneRecognizer):
    """libphonenumber's recognizer, scored to pass the threshold on its own: it only reports
    numbers that are valid for one of the policy's regions, which is evidence enough.

    libphonenumber parses every run of digits it meets, and documents are full of short ones
    (dates, versions, sizes, code): that was a third of the redactor's time on technical
    documentation. A valid number of the policy's regions has at least ``min_digits`` digits
    (their shortest possible length), so only lines with that many digits are handed to it;
    the rest of the text cannot hold one.
    """

    SCORE = 0.6

    def __init__(self, *, supported_regions: Sequence[str]) -> None:
        super().__init__(supported_regions=tuple(supported_regions))
        self.min_digits = min(
            (length for region in supported_regions for length in _possible_lengths(region)),
            default=1,
        )

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        results: list[RecognizerResult] = []
        for start, end in _lines_with_digits(text, self.min_digits):
            for result in super().analyze(text[start:end], entities, nlp_artifacts):  # type: ignore[arg-type]
                result.start += start
                result.end += start
                results.append(result)
        return results


def _possible_lengths(region: str) -> tuple[int, ...]:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.general_desc is None:
        return (1,)  # unknown: hand it every line
    return tuple(metadata.general_desc.possible_length or (1,))


def _lines_with_digits(text: str, min_digits: int) -> list[tuple[int, int]]:
    """Runs of consecutive lines that each hold at least ``min_digits`` digits."""
    spans: list[tuple[int, int]] = []
    start = 0
    for line in text.splitlines(keepends=True):
        end = start + len(line)
        if len(_DIGIT.findall(line)) >= min_digits:
            if spans and spans[-1][1] == start:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
        start = end
    return spans


def credit_card_recognizer() -> EntityRecognizer:
    """Presidio's card recognizer (Luhn-checked), with Mastercard's 2221–2720 range added."""
    stock = CreditCardRecognizer.PATTERNS[0]
    regex = stock.regex.replace(r"(5[0-5]\d{2})", r"(5[0-5]\d{2})|(2[2-7]\d{2})")
    if regex == stock.regex:
        # Presidio changed its pattern; fail loudly rather than silently miss 2-series cards.
        raise RuntimeError("Presidio's credit card pattern changed; update kb.pii_patterns")
    patterns = [Pattern("Credit cards (with Mastercard 2-series)", regex, stock.score)]
    recognizer: EntityRecognizer = CreditCardRecognizer(patterns=patterns)
    return recognizer


class AnyDomainEmailRecognizer(EmailRecognizer):
    """Presidio's e-mail pattern, accepting any alphabetic top-level domain."""

    def validate_result(self, pattern_text: str) -> bool:
        # Presidio asks tldextract whether the suffix is public and drops the rest; an address
        # at a reserved or internal domain is still a person's address, so keep it.
        tld = pattern_text.rsplit(".", 1)[-1]
        return len(tld) >= 2 and tld.isalpha()


def use_offline_public_suffix_list() -> None:
    """Point tldextract's global extractor at the snapshot bundled in its wheel.

    The default extractor fetches the Public Suffix List from the network on first use and
    caches it under ``~/.cache``; Presidio's stock e-mail recognizer calls it. Tandem never
    reaches the network, so whatever in the process validates an address uses the snapshot.
    """
    current = tldextract.tldextract.TLD_EXTRACTOR
    if getattr(current, "suffix_list_urls", None) == ():
        return
    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True
    )


_FACTORIES: dict[str, Callable[[Sequence[str]], list[EntityRecognizer]]] = {
    "EMAIL_ADDRESS": lambda _regions: [AnyDomainEmailRecognizer()],
    "PHONE_NUMBER": lambda regions: [
        PhonePatternRecognizer(),
        *([LibPhoneRecognizer(supported_regions=regions)] if regions else []),
    ],
    "CREDIT_CARD": lambda _regions: [credit_card_recognizer()],
    "IBAN_CODE": lambda _regions: [IbanRecognizer()],
    # Bank details, addresses, identity numbers: kb.pii_bank, kb.pii_address, kb.pii_identity.
    SORT_CODE: lambda _regions: [SortCodeRecognizer()],
    BANK_ACCOUNT: lambda _regions: [BankAccountRecognizer()],
    ADDRESS: lambda _regions: [AddressRecognizer()],
    UK_NINO: lambda _regions: [NinoRecognizer()],
    DATE_OF_BIRTH: lambda _regions: [BirthDateRecognizer()],
}
PATTERN_ENTITIES = tuple(_FACTORIES)


def pattern_recognizers(
    entities: Collection[str], phone_regions: Sequence[str]
) -> list[EntityRecognizer]:
    """The recognizers for the pattern-based entities among ``entities``."""
    return [
        recognizer
        for entity, factory in _FACTORIES.items()
        if entity in entities
        for recognizer in factory(phone_regions)
    ]
