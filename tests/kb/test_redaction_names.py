"""Names the English model misses: written with letters English lacks, introduced after the
name ("… here,"), or in greetings and sign-offs of other languages."""

from __future__ import annotations

import pytest

from kb.redaction import Redactor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The model finds nothing in the first sentence and only "Wróblewski" in the second.
        (
            'Client names with Polish letters show as empty boxes. Example: "Łukasz Wróblewski" '
            'becomes "Wróblewski" only.',
            'Client names with Polish letters show as empty boxes. Example: "<PERSON_1>" '
            'becomes "<PERSON_1>" only.',
        ),
        # The model calls these organisations, or nothing.
        (
            "Can Océane Fontaine get read-only access to Reports?",
            "Can <PERSON_1> get read-only access to Reports?",
        ),
        (
            "Can Léon Costa get read-only access to Reports?",
            "Can <PERSON_1> get read-only access to Reports?",
        ),
        (
            "Our bookkeeper Søren Østergaard approved the payroll.",
            "Our bookkeeper <PERSON_1> approved the payroll.",
        ),
    ],
)
def test_names_written_with_letters_english_lacks_are_replaced(
    redactor: Redactor, text: str, expected: str
) -> None:
    assert redactor.redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        # Places the model calls places, and accented words in lower case.
        "Our offices in Zürich Altstetten and in Málaga are closed.",
        "The café menu lists crème brûlée and a latte.",
        # One accented word alone is no name.
        "Quebec needs separate Revenu filings; see Québec for the RL-1 slips.",
    ],
)
def test_accented_places_and_words_are_kept(redactor: Redactor, text: str) -> None:
    assert redactor.redact(text).text == text


def test_a_name_introduced_after_it_is_replaced(redactor: Redactor) -> None:
    redacted = redactor.redact("Hey,\n\nRémy Blanc here, I look after billing for Acme.\n\nRémy")
    assert redacted.text == (
        "Hey,\n\n<PERSON_1> here, I look after billing for Acme.\n\n<PERSON_1>"
    )


def test_common_words_before_here_are_no_name(redactor: Redactor) -> None:
    text = "Hi,\n\nSupport Team here, thanks for writing.\nClick here, then Save."
    assert redactor.redact(text).text == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hola Marta,\n\nla factura está mal.", "Hola <PERSON_1>,\n\nla factura está mal."),
        (
            "The invoice is wrong.\n\nSaludos,\nIñaki",
            "The invoice is wrong.\n\nSaludos,\n<PERSON_1>",
        ),
        (
            "The payout failed.\n\nMit freundlichen Grüßen\nHellmuth",
            "The payout failed.\n\nMit freundlichen Grüßen\n<PERSON_1>",
        ),
        (
            "Merci de votre aide.\n\nCordialement,\nAurélie",
            "Merci de votre aide.\n\nCordialement,\n<PERSON_1>",
        ),
        ("Account name: Ursula Chowdhury", "Account name: <PERSON_1>"),
        ("Signed by Ngozi Eze on the form.", "Signed by <PERSON_1> on the form."),
    ],
)
def test_greetings_sign_offs_and_labels_of_other_languages_mark_a_name(
    redactor: Redactor, text: str, expected: str
) -> None:
    assert redactor.redact(text).text == expected


def test_a_german_sign_off_word_is_no_name(redactor: Redactor) -> None:
    text = "Danke!\n\nViele Grüße,\nIhr Fernhill Team"
    assert redactor.redact(text).text == text
