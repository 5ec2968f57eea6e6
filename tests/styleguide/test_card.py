"""Card validation: field-level errors, examples run as tests, extends and overrides, caching."""

from __future__ import annotations

import pytest

from kb.errors import InvalidInput
from styleguide.card import compiled, resolve
from styleguide.checker import check, validate
from styleguide.findings import CheckContext
from tests.styleguide.conftest import MINIMAL, demo_text


def _errors(text: str, bases: dict[str, str] | None = None) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as caught:
        validate(text, (bases or {}).__getitem__)
    return caught.value.errors


def test_the_demo_card_is_valid_and_its_examples_agree_with_its_rules() -> None:
    card = validate(demo_text()).card
    assert len(card.base_specs) >= 40


def test_malformed_yaml_is_reported_with_its_line() -> None:
    errors = _errors(MINIMAL + "  - id: [unclosed\n")
    assert list(errors) == ["yaml"]
    assert errors["yaml"][0].startswith("Line 11")


def test_an_invalid_regex_is_reported_on_its_field() -> None:
    broken = MINIMAL.replace("pattern: unfortunately", 'pattern: "(unclosed"\n    regex: true')
    assert "Invalid regular expression" in _errors(broken)["banned_phrases.0.pattern"][0]


def test_an_unknown_rule_key_is_reported_on_its_field() -> None:
    errors = _errors(
        MINIMAL.replace("    severity: warning", "    severity: warning\n    colour: red")
    )
    assert errors == {"banned_phrases.0.colour": ["Unknown field."]}


def test_a_key_written_twice_is_an_error_not_a_silent_overwrite() -> None:
    assert "appears twice" in _errors(MINIMAL + "effective_week: 2026-W49\n")["yaml"][0]


def test_a_bad_example_that_passes_its_rule_is_refused() -> None:
    errors = _errors(MINIMAL.replace('bad: ["Unfortunately,', 'bad: ["Sadly,'))
    assert errors == {
        "banned_phrases.0.examples.bad.0": ["This bad example does not trigger the rule."]
    }


def test_a_good_example_that_breaks_its_rule_is_refused() -> None:
    errors = _errors(MINIMAL.replace('good: ["Monthly', 'good: ["Unfortunately, monthly'))
    assert list(errors) == ["banned_phrases.0.examples.good.0"]
    assert errors["banned_phrases.0.examples.good.0"][0].startswith("This good example breaks")


def test_every_rule_needs_examples() -> None:
    card = MINIMAL.split("    examples:")[0]
    assert _errors(card) == {"banned_phrases.0.examples": ["Missing data for required field."]}


BASE = (
    MINIMAL.replace("effective_week: 2026-W48\n", "effective_week: 2026-W40\n")
    + """\
  - id: ban-kindly
    pattern: kindly
    message: Say please.
    severity: suggestion
    examples:
      good: ["Please send the number."]
      bad: ["Kindly send the number."]
"""
)

CHILD = """\
effective_week: 2026-W48
extends: basics
remove: [ban-kindly]
set:
  ban-unfortunately: {severity: error}
banned_phrases:
  - id: ban-calm-down
    pattern: calm down
    message: Never tell a customer to calm down.
    severity: error
    examples:
      good: ["Let's sort it out now."]
      bad: ["Please calm down."]
"""


def test_a_card_extends_a_base_adding_removing_and_changing_rules_explicitly() -> None:
    card = validate(CHILD, {"basics": BASE}.__getitem__).card
    assert set(card.base_specs) == {"ban-unfortunately", "ban-calm-down"}
    [finding] = check(card, "Unfortunately, no.")
    assert (finding.rule, finding.severity) == ("ban-unfortunately", "error")


def test_changes_to_rules_the_base_does_not_have_are_errors() -> None:
    child = CHILD.replace("remove: [ban-kindly]", "remove: [ban-nothing]").replace(
        "ban-unfortunately: {severity: error}", "ban-missing: {severity: error}"
    )
    errors = _errors(child, {"basics": BASE})
    assert errors == {
        "remove.0": ["There is no rule ban-nothing to remove."],
        "set.ban-missing": ["There is no rule ban-missing to change."],
    }


def test_adding_a_rule_the_base_has_must_be_a_replace() -> None:
    child = CHILD.replace("id: ban-calm-down", "id: ban-kindly").replace(
        "remove: [ban-kindly]\n", ""
    )
    assert "use replace or set" in _errors(child, {"basics": BASE})["banned_phrases.0.id"][0]


def test_a_missing_base_card_is_reported() -> None:
    assert _errors(CHILD) == {"extends": ["There is no base card called basics."]}


def test_only_a_card_that_extends_may_remove_rules() -> None:
    assert "extends" in _errors(MINIMAL + "remove: [ban-unfortunately]\n")["remove"][0]


def test_overrides_replace_and_add_rules_per_tier() -> None:
    card = validate(
        MINIMAL
        + """\
overrides:
  tier:
    vip:
      replace:
        ban-unfortunately:
          pattern: sadly
          message: Not "sadly" for VIPs.
          severity: error
          examples:
            good: [{text: "Unfortunately it failed.", tier: vip}]
            bad: [{text: "Sadly it failed.", tier: vip}]
"""
    ).card
    vip = CheckContext(tier="vip")
    assert [f.rule for f in check(card, "Sadly it failed.", vip)] == ["ban-unfortunately"]
    assert check(card, "Unfortunately it failed.", vip) == []
    assert [f.rule for f in check(card, "Unfortunately it failed.")] == ["ban-unfortunately"]


def test_an_override_that_breaks_a_rule_is_reported_on_the_override() -> None:
    errors = _errors(
        MINIMAL
        + "overrides:\n  channel:\n    chat:\n      set:\n"
        + "        ban-unfortunately: {severity: loud}\n"
    )
    assert errors == {
        "overrides.channel.chat.set.ban-unfortunately.severity": [
            "Must be one of: error, warning, suggestion."
        ]
    }


def test_a_compiled_card_is_cached_by_its_content() -> None:
    resolved = resolve(MINIMAL)
    assert compiled(resolved) is compiled(resolve(MINIMAL))


def test_the_packaged_base_card_can_be_extended() -> None:
    card = validate(
        "effective_week: 2026-W48\nextends: support-basics\nremove: [basics-exclamations]\n"
    ).card
    assert set(card.base_specs) == {"basics-calm-down", "basics-as-per", "basics-guarantee"}
    assert [f.rule for f in check(card, "Please calm down!!")] == ["basics-calm-down"]
