"""The extractive composer over real retrieval: which article answers, and when to hand over."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.pipeline import IngestPipeline
from retrieval.composer import Composition, TicketView, Voice, compose
from retrieval.grounding import support
from retrieval.search import HybridSearch

EXPORT = """# Export your data

You can export your data at any time, on every plan.

## Export invoices

Invoices, credit notes and quotes export as a CSV file your accountant can open in a spreadsheet.

1. Go to Settings → Data → Export.
2. Choose Invoices and the date range.
3. Select Export as CSV; the file arrives by email within a few minutes.
"""
TEMPLATES = """# Customise invoice templates

Add your logo, choose a layout and set the colours of the invoice PDF your customers receive.

## Printing

Download the PDF from the invoice page to print it or post it to a customer.
Printed invoices show your bank details in the footer.
"""
PAYOUTS = """# Payout schedule

Payouts arrive two business days after a payment settles.
Thanks again for your patience today, we are always here to help.

## Delays

A payout can be held for review when the bank account changed in the last 7 days.
"""
REFUNDS = """# Refunds

A refund goes back to the card the customer paid with, within 5 to 10 business days.
"""


@pytest.fixture
def knowledge(pipeline: IngestPipeline, write_doc: Callable[..., Path]) -> IngestPipeline:
    write_doc("export", EXPORT, id="data-export")
    write_doc("templates", TEMPLATES, id="invoice-templates")
    write_doc("refunds", REFUNDS, id="refunds")
    pipeline.ingest(write_doc("payouts", PAYOUTS, id="payout-schedule"), actor="test")
    return pipeline


def draft(search: HybridSearch, subject: str, body: str, channel: str = "email") -> Composition:
    """The composer's reply to a ticket, over what search retrieves for it (as drafting asks)."""
    hits = search.search(f"{subject}\n{body}", k=8)
    ticket = TicketView(channel, subject, body, first_name="Dana", topic="", casual=False)
    return compose(ticket, hits, Voice(), agent_first_name="Alice")


def cited_documents(composition: Composition) -> list[str]:
    return list(dict.fromkeys(c.hit.doc_id for c in composition.citations))


def test_it_answers_a_pasted_how_to_question_from_the_article_that_covers_it(
    knowledge: IngestPipeline, search: HybridSearch
) -> None:
    composition = draft(
        search,
        "How do I export my invoices to CSV?",
        "Hi team, thanks for the help last week! My accountant needs all my invoices as a "
        "spreadsheet. How do I export them to CSV? Cheers, <PERSON_1>",
    )
    assert not composition.needs_human, composition.reasons
    assert cited_documents(composition) == ["data-export"]
    assert "Go to Settings → Data → Export." in composition.text


def test_every_quoted_sentence_is_supported_by_the_chunk_it_cites(
    knowledge: IngestPipeline, search: HybridSearch
) -> None:
    composition = draft(search, "Export invoices as CSV", "How do I export my invoices?")
    quoted = [*composition.sections["answer"], *composition.sections["next_steps"]]
    assert quoted
    by_n = {c.n: c for c in composition.citations}
    for line in quoted:
        sentence, _, marker = line.rpartition(" [")
        sentence = sentence.split(". ", 1)[1] if sentence[:1].isdigit() else sentence
        assert support(sentence, by_n[int(marker.rstrip("]"))].hit.field("text")).supported


def test_greetings_thanks_and_names_never_make_a_sentence_an_answer(
    knowledge: IngestPipeline, search: HybridSearch
) -> None:
    # Every word this ticket shares with the payout article is manners or a placeholder.
    composition = draft(
        search,
        "Thanks!",
        "Hi <PERSON_1>, thanks again for the help today. Cheers, <PERSON_2>",
    )
    assert composition.needs_human
    assert composition.citations == []


def test_a_ticket_about_a_feature_no_article_mentions_needs_a_human(
    knowledge: IngestPipeline, search: HybridSearch
) -> None:
    composition = draft(
        search,
        "QR code for payments",
        "Can my customers scan a QR code with their phone to make a payment?",
    )
    assert composition.needs_human, composition.text
    assert "specialist" in composition.text


def test_the_subject_names_the_topic_when_the_body_wanders(
    knowledge: IngestPipeline, search: HybridSearch
) -> None:
    composition = draft(
        search,
        "Refund to my customer's card",
        "We had a great month and the payout arrived on time, thank you. A customer asked "
        "for her money back yesterday: how long does a refund take to reach her card?",
    )
    assert not composition.needs_human, composition.reasons
    assert cited_documents(composition)[0] == "refunds"
