"""What a ticket asks: its topic words, weighed against what was retrieved for it."""

from __future__ import annotations

from typing import Any

import pytest

from retrieval.grounding import stems
from retrieval.question import question, topic_words
from retrieval.search import SearchHit


def hit(text: str, n: int = 0) -> SearchHit:
    payload: dict[str, Any] = {"text": text, "visibility": "public"}
    return SearchHit(f"c{n}", f"d{n}", 1, 1.0, 1.0, payload)


def test_manners_placeholders_and_numbers_are_not_topic_words() -> None:
    words = topic_words("Hi team, thanks! <PERSON_1> here again, 3 invoices won't export. Cheers")
    assert words == stems("invoices export")


def test_a_subject_word_weighs_twice_a_body_word_as_rare() -> None:
    hits = [hit("Export invoices as CSV.", 0), hit("Payouts arrive in two days.", 1)]
    asked = question("Export", "Where do payouts go?", hits)
    assert asked.weights[next(iter(stems("export")))] == 2 * asked.weights["payout"]


def test_a_body_word_no_retrieved_chunk_contains_does_not_count() -> None:
    asked = question(
        "Invoice logo", "Can invoices show a logo, Zorblax?", [hit("Invoices show a logo.")]
    )
    assert asked.coverage(stems("Invoices show a logo.")) == pytest.approx(1.0)


def test_a_subject_word_no_retrieved_chunk_contains_keeps_any_sentence_from_answering_fully() -> (
    None
):
    asked = question(
        "QR code on invoices", "Can invoices show one?", [hit("Invoices show a logo.")]
    )
    assert asked.coverage(stems("Invoices show a logo.")) < 0.5


def test_coverage_grows_with_the_share_of_the_question_a_sentence_answers() -> None:
    hits = [hit("Refunds reach the card in 5 days. Payouts are daily. Exports are CSV files.")]
    asked = question("Refund to card", "How long until the refund reaches the card?", hits)
    partial = asked.coverage(stems("Refunds take a while."))
    full = asked.coverage(stems("Refunds reach the card in 5 days."))
    assert 0 < partial < full <= 1.0
    assert asked.coverage(stems("Payouts are daily.")) == 0.0
