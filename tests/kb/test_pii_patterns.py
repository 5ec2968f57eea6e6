"""The pattern recognizers, as the redactor calls them (no spaCy)."""

from __future__ import annotations

from presidio_analyzer.predefined_recognizers import PhoneRecognizer

from kb.pii_patterns import LibPhoneRecognizer


class StockPhoneRecognizer(PhoneRecognizer):
    SCORE = 0.6


def spans(recognizer: PhoneRecognizer, text: str) -> list[tuple[int, int]]:
    return sorted((r.start, r.end) for r in recognizer.analyze(text, ["PHONE_NUMBER"]))


def test_libphonenumber_needs_only_lines_with_enough_digits() -> None:
    recognizer = LibPhoneRecognizer(supported_regions=["US", "GB"])
    assert recognizer.min_digits == 7  # the shortest possible GB number


def test_it_finds_what_libphonenumber_finds_on_the_whole_text() -> None:
    text = (
        "Version 2011-12-05, 3 items of 12 KB at 10:30.\n"
        '```\n{"Timestamp": 1540857600.0, "Count": 42}\n```\n'
        "Call (415) 555-0142 or +44 20 7946 0321 any time.\n"
        "Shipped 2 boxes.\nOr ring 020 7946 0018,\nor 0161 496 0000."
    )
    ours = LibPhoneRecognizer(supported_regions=["US", "GB"])
    stock = StockPhoneRecognizer(supported_regions=("US", "GB"))
    assert spans(ours, text) == spans(stock, text)
    found = {text[s:e] for s, e in spans(ours, text)}
    # (The timestamp is dropped later, by the redactor: it is a decimal.)
    assert found == {
        "1540857600.0",
        "(415) 555-0142",
        "+44 20 7946 0321",
        "020 7946 0018",
        "0161 496 0000",
    }
