"""Saving a card refuses a regex that can run for minutes on some text (ReDoS), on its field."""

from __future__ import annotations

import pytest

from kb.errors import InvalidInput
from styleguide.author_patterns import author_regex
from styleguide.backtracking import backtracking_problem
from styleguide.checker import validate
from tests.styleguide.conftest import MINIMAL, regex_card

# Classic catastrophic patterns: seconds on 800 characters that almost match, even with the
# regex engine's guards (see styleguide.backtracking for the measurements).
CATASTROPHIC = [r"(a+)+$", r"(\w+\s?)*:", r"(x+x+)+y"]


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_it_refuses_a_pattern_that_can_backtrack_for_minutes_with_an_error_on_its_field(
    pattern: str,
) -> None:
    card = regex_card(pattern, good="Thanks for waiting.", bad="x")
    with pytest.raises(InvalidInput) as caught:
        validate(card)
    errors = caught.value.errors
    assert list(errors) == ["banned_phrases.1.pattern"]
    [message] = errors["banned_phrases.1.pattern"]
    assert message.startswith("This pattern can take too long on some text: on ")
    assert "ran past 400 ms" in message


def test_a_slow_pattern_set_in_an_override_layer_is_refused_where_it_is_written() -> None:
    card = MINIMAL + (
        "overrides:\n"
        "  tier:\n"
        "    vip:\n"
        "      set:\n"
        '        ban-unfortunately: {pattern: "(\\\\w+\\\\s?)*:", regex: true}\n'
    )
    with pytest.raises(InvalidInput) as caught:
        validate(card)
    [message] = caught.value.errors["overrides.tier.vip.set.ban-unfortunately.pattern"]
    assert message.startswith("This pattern can take too long on some text")


@pytest.mark.parametrize(
    "pattern",
    [
        r"\bsorry for (any|the) inconvenience\b",
        r"\w+ly\b",  # quadratic on one long word: bounded at check time instead
        r"^(\w+\s?)*$",
        r"(?<=refund )\w+",
        r"\b(\w+)\s+\1\b",
        r"(You|you)( should)+ (have|of)",
    ],
)
def test_ordinary_patterns_pass_the_probes(pattern: str) -> None:
    assert backtracking_problem(author_regex(pattern, case_sensitive=False), pattern) is None


def test_a_pattern_that_does_not_compile_is_reported_before_any_probe() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate(regex_card("(unclosed", good="Fine.", bad="(unclosed"))
    [message] = caught.value.errors["banned_phrases.1.pattern"]
    assert message.startswith("Invalid regular expression")
