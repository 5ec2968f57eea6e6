"""The token rules: what can be part of a person's name as written."""

from __future__ import annotations

import pytest

from kb.pii_name_shape import Token, name_tokens, name_words, strip_edges, token_kind


@pytest.mark.parametrize(
    "token",
    [
        *("Ana", "Hänel", "Jean-Luc", "O'Brien", "O’Neill", "McDonald", "MacLeod", "DeVries"),
        *("LeBlanc", "DiMaggio", "al-Hassan", "Lima's"),
    ],
)
def test_name_words(token: str) -> None:
    assert token_kind(token) is Token.NAME


@pytest.mark.parametrize(
    "token",
    [
        # Code identifiers and inner capitals
        *("WriteLine", "KeySchema", "orderDetailBatch", "DynamoDBHashKey", "DeleteItem"),
        *("LaunchConfig", "DevOps", "LaTeX", "MacOS"),
        # Dots, slashes, brackets, digits, underscores, markup
        *("java.util", "com.amazonaws.services", r"\.NET", "Reply>", "//", "[Creating"),
        *("HowItWorks)", "val1", "S3", "user_name", "SSS'Z", "environment\\."),
        # Lower case (not a particle) and all capitals
        *("catch", "config", "mm", "JSON", "EMR", "IBAN"),
    ],
)
def test_tokens_that_cannot_be_part_of_a_name(token: str) -> None:
    assert token_kind(token) is None


@pytest.mark.parametrize(
    ("token", "kind"),
    [
        ("de", Token.PARTICLE),
        ("van", Token.PARTICLE),
        ("Mr", Token.TITLE),
        ("Dr.", Token.TITLE),
        ("F.", Token.INITIAL),
        ("F", Token.INITIAL),
    ],
)
def test_particles_titles_and_initials(token: str, kind: Token) -> None:
    assert token_kind(token) is kind


@pytest.mark.parametrize(
    "span", ["Ana Lima", "Anke de Vries", "Dr. Samuel Adeyinka", "John F. Kennedy", "Cognito"]
)
def test_name_shaped_spans(span: str) -> None:
    assert name_tokens(span) is not None


@pytest.mark.parametrize(
    "span",
    [
        "Java Document API",  # an all-capitals token
        "Primary Key](HowItWorks",
        "// Range",
        "Anke de",  # ends in a particle
        "Mr",  # a title alone
        "com.amazonaws.services.dynamodbv2.AmazonDynamoDB",
    ],
)
def test_spans_that_are_not_names(span: str) -> None:
    assert name_tokens(span) is None


def test_name_words_leave_out_titles_particles_and_initials() -> None:
    assert name_words("Dr. Anke F. de Vries") == ["Anke", "Vries"]


def test_prose_punctuation_is_not_part_of_a_token() -> None:
    assert strip_edges('**"Ana,') == "Ana"
    assert strip_edges("(Lima).") == "Lima"
