"""National Insurance numbers and dates of birth, as customers type them into tickets."""

from __future__ import annotations

import pytest

from kb.redaction import Redactor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Her details in case you need them: NI number QQ 12 34 56 C.",
            "Her details in case you need them: NI number <UK_NINO_1>.",
        ),
        ("My NINO is ab123456c.", "My NINO is <UK_NINO_1>."),
        ("He gave AB 12 34 56 C on the form.", "He gave <UK_NINO_1> on the form."),
        (
            "Date of birth 14/03/1986, DOB: 1986-03-14.",
            "Date of birth <DATE_OF_BIRTH_1>, DOB: <DATE_OF_BIRTH_2>.",
        ),
        (
            "She was born on March 14, 1986 and he was born 2 May 1990.",
            "She was born on <DATE_OF_BIRTH_1> and he was born <DATE_OF_BIRTH_2>.",
        ),
        ("Geburtsdatum: 14.03.1986", "Geburtsdatum: <DATE_OF_BIRTH_1>"),
    ],
)
def test_identity_numbers_and_birth_dates_are_replaced(
    redactor: Redactor, text: str, expected: str
) -> None:
    assert redactor.redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        # Part and serial numbers shaped like a compact NINO, and HMRC's impossible prefixes.
        "The card reader model XY123456A keeps restarting; so does GB 12 34 56 A.",
        # Other dates are no birth dates.
        "The invoice dated 14/03/1986 was paid on 1986-03-14; the birthday party is 14 March.",
        "Version 1.2.3 was released 2024-01-05; see the DOB field in the export docs.",
    ],
)
def test_look_alikes_of_identity_numbers_and_birth_dates_are_kept(
    redactor: Redactor, text: str
) -> None:
    assert redactor.redact(text).text == text
