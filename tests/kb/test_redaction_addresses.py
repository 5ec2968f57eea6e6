"""Postal addresses: street lines, UK postcodes and US locality lines, with the parts written
around them, as customers write them; and the technical text that only looks like one."""

from __future__ import annotations

import pytest

from kb.redaction import Redactor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "One of my monthly clients has moved to Flat 2, 14 Marlborough Road, Bristol BS6 5NJ. "
            "Will the recurring invoice pick it up?",
            "One of my monthly clients has moved to <ADDRESS_1>. Will the recurring invoice pick "
            "it up?",
        ),
        (
            "New address is 2147 Larkspur Lane, Apt 3B, Boise, ID 83702. Can you update it?",
            "New address is <ADDRESS_1>. Can you update it?",
        ),
        (
            "My details: date of birth on file, 27 Elm Grove, Manchester M14 6LT.",
            "My details: date of birth on file, <ADDRESS_1>.",
        ),
        (
            "Please ship the card reader to 221B Baker Street, London NW1 6XE, UK.",
            "Please ship the card reader to <ADDRESS_1>.",
        ),
        ("Our postcode is M14 6LT now.", "Our postcode is <ADDRESS_1> now."),
        (
            "Unsere neue Adresse: Paulo-Schleich-Straße 19, 37887 Grevesmühlen.",
            "Unsere neue Adresse: <ADDRESS_1>.",
        ),
        ("Notre adresse : 12 rue de la Paix, 75002 Paris", "Notre adresse : <ADDRESS_1>"),
        (
            "Invoices go to 825 Garrett Circles, Port Taylorside, NV 31215 from now on.",
            "Invoices go to <ADDRESS_1> from now on.",
        ),
    ],
)
def test_an_address_in_a_ticket_is_replaced_whole(
    redactor: Redactor, text: str, expected: str
) -> None:
    redacted = redactor.redact(text)
    assert redacted.text == expected
    assert redacted.counts == {"ADDRESS": 1}


def test_an_address_written_out_in_a_signature_is_replaced_line_by_line(
    redactor: Redactor,
) -> None:
    redacted = redactor.redact(
        "Please post the P60 to me.\n\nThanks,\nPatrick\nFlat 55\nHodgson Lane\nBristol\n"
        "BS6 5NJ\n\nSent from my phone"
    )
    assert redacted.text == (
        "Please post the P60 to me.\n\nThanks,\n<PERSON_1>\n<ADDRESS_1>\n<ADDRESS_2>\n"
        "<ADDRESS_3>\n<ADDRESS_4>\n\nSent from my phone"
    )


def test_a_street_the_name_model_calls_a_person_is_part_of_the_address(
    redactor: Redactor,
) -> None:
    # spaCy's small model reads "Larkspur Lane" as a person; "Lane" must not spread as a name.
    redacted = redactor.redact(
        "Her new address is 2147 Larkspur Lane, Boise, ID 83702. She lives off Lane 5 now."
    )
    assert redacted.text == ("Her new address is <ADDRESS_1>. She lives off Lane 5 now.")
    assert "PERSON" not in redacted.counts


def test_a_deny_listed_name_inside_an_address_leaves_no_part_of_it(redactor: Redactor) -> None:
    redacted = redactor.redact(
        "Send it to 14 Marlborough Road, Bristol BS6 5NJ please.",
        deny={"PERSON": ["Tom Marlborough"]},
    )
    assert redacted.text == "Send it to <ADDRESS_1> <PERSON_1> <ADDRESS_2> please."


@pytest.mark.parametrize(
    "text",
    [
        # Numbers before capitalised words that are no street.
        "Launch an EC2 5GB volume in 3 Availability Zones.",
        "Step 3 Access Point is created; use 2 Load Balancers and 10 Data Points.",
        "Chapter 4 Gateway Route explains the 2 Transit Gateway options.",
        # Support text: order numbers, dates, amounts, versions.
        "Order #12345 shipped 5 days ago; invoice INV-2024 was paid on 12 March 2025.",
        "Release 12.34.56 Street Edition and version 2.3.4 are out.",
        # A US state and five digits are no address without a town before them.
        "Status OK 20000 and Seattle WA were in the log.",
        # Words ending like a German street, before a number.
        "The Instr. 5 flag, String 5 and Monitoring 3 are set.",
        # A French street word with no number and no postcode.
        "Use the route Tables page, then place Orders as usual.",
    ],
)
def test_text_that_only_looks_like_an_address_is_kept(redactor: Redactor, text: str) -> None:
    assert redactor.redact(text).text == text
