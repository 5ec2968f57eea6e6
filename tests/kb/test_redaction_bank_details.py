"""Bank details in tickets: UK sort codes and account numbers are found by what the text says
around them, and the look-alikes of support and technical text are left alone."""

from __future__ import annotations

import pytest

from kb.redaction import Redactor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Could you send it by bank transfer instead? Sort code 20-00-00, account 55779911, "
            "thanks.",
            "Could you send it by bank transfer instead? Sort code <UK_SORT_CODE_1>, account "
            "<BANK_ACCOUNT_1>, thanks.",
        ),
        (
            "The new account is with Starling, sort code 60-83-71, account 12345678. Can you "
            "resend to that?",
            "The new account is with Starling, sort code <UK_SORT_CODE_1>, account "
            "<BANK_ACCOUNT_1>. Can you resend to that?",
        ),
        (
            "My account number is 31926819 and the sort code is 40 47 84.",
            "My account number is <BANK_ACCOUNT_1> and the sort code is <UK_SORT_CODE_1>.",
        ),
        ("sort code: 404784, a/c 3192 6819", "sort code: <UK_SORT_CODE_1>, a/c <BANK_ACCOUNT_1>"),
        (
            "Please pay the refund to 20-00-00 55779911 today.",
            "Please pay the refund to <UK_SORT_CODE_1> <BANK_ACCOUNT_1> today.",
        ),
        (
            "Our bank account number is 000123456789 at Chase.",
            "Our bank account number is <BANK_ACCOUNT_1> at Chase.",
        ),
        (
            "Refund to my checking account 4400123987 please.",
            "Refund to my checking account <BANK_ACCOUNT_1> please.",
        ),
        ("Acct no. 1234 5678", "Acct no. <BANK_ACCOUNT_1>"),
        (
            "Please use account 13404588 sort 20-94-19.",
            "Please use account <BANK_ACCOUNT_1> sort <UK_SORT_CODE_1>.",
        ),
        (
            "Payee is the bakery, 5966 4449 (76 25 07).",
            "Payee is the bakery, <BANK_ACCOUNT_1> (<UK_SORT_CODE_1>).",
        ),
    ],
)
def test_bank_details_in_a_ticket_are_replaced(
    redactor: Redactor, text: str, expected: str
) -> None:
    assert redactor.redact(text).text == expected


def test_a_sort_code_written_two_ways_is_one_value(redactor: Redactor) -> None:
    redacted = redactor.redact("Sort code 20-00-00, account 55779911. Again: sort code 200000.")
    assert redacted.text == (
        "Sort code <UK_SORT_CODE_1>, account <BANK_ACCOUNT_1>. Again: sort code <UK_SORT_CODE_1>."
    )
    assert redacted.distinct == {"BANK_ACCOUNT": 1, "UK_SORT_CODE": 1}


@pytest.mark.parametrize(
    "text",
    [
        # Order, invoice and ticket numbers have eight digits too.
        "Order #12345678 was charged twice; invoice INV-12345678 shows the wrong VAT rate.",
        "Ticket 55779911: the export is missing the fee column.",
        # A British date and a version are 2-2-2 digits like a sort code.
        "The export dated 12-03-24 is missing rows, since version 12-34-56 of the app.",
        "The refund of 12-03-24 went back to the card.",
        # Six digits alone are no sort code without one named.
        "The sync fails with error code 404784 since the update.",
        # Timestamps, amounts, decimals.
        "At 1540857600 (epoch) we paid £2,940.00 and the score was 0.12345678.",
        # A Fernhill account is no bank account, nor is a cloud one.
        "My Fernhill account 12345678 shows the wrong plan.",
        "Our AWS account 123456789012 hosts the webhook receiver.",
    ],
)
def test_numbers_that_only_look_like_bank_details_are_kept(redactor: Redactor, text: str) -> None:
    assert redactor.redact(text).text == text


@pytest.mark.parametrize(
    "text",
    [
        "Your AWS account number 123456789012 is shown in the console.",
        "Replace 111122223333 with your account ID, as in account ID 444455556666.",
        "The role ARN is arn:aws:iam::123456789012:role/Admin.",
        "Transfer the domain to account 111122223333 in another AWS Region.",
        "Set `MaxResults` to 100000 and sort the 20-30-40 percentiles.",
    ],
)
def test_account_ids_in_technical_documentation_are_kept(redactor: Redactor, text: str) -> None:
    assert redactor.redact(text).text == text


def test_an_account_on_a_line_about_the_cloud_is_kept_but_its_bank_neighbour_is_not(
    redactor: Redactor,
) -> None:
    # One line, two sentences: the cloud sentence does not vouch for the bank one, nor spoil it.
    text = "Refund to sort code 83-29-74, account 82052478. Our AWS account 131755512345 is new."
    assert redactor.redact(text).text == (
        "Refund to sort code <UK_SORT_CODE_1>, account <BANK_ACCOUNT_1>. Our AWS account "
        "131755512345 is new."
    )


def test_an_iban_stays_an_iban(redactor: Redactor) -> None:
    redacted = redactor.redact("Our IBAN is GB33 BUKB 2020 1555 5555 55, account 55555555.")
    assert redacted.text == "Our IBAN is <IBAN_CODE_1>, account <BANK_ACCOUNT_1>."
