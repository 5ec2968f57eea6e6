"""A card's own regexes run with a time limit: a rule out of time is skipped, the reply checked."""

from __future__ import annotations

import re

import regex
from hypothesis import given
from hypothesis import strategies as st

from kb.database import Database
from retrieval.style_gate import CardStyleGate
from styleguide.author_patterns import author_regex
from styleguide.card import CompiledCard
from styleguide.checker import check, validate
from styleguide.versions import StyleCardService
from tests.styleguide.conftest import ADVERBS, SLOW_REPLY, demo_text


def test_a_rule_out_of_time_is_skipped_and_the_reply_keeps_its_other_findings() -> None:
    card = validate(ADVERBS).card
    findings = check(card, SLOW_REPLY, regex_timeout_ms=1)
    skipped = [f for f in findings if f.kind == "skipped"]
    assert [(f.rule, f.severity, f.fix) for f in skipped] == [("ban-pattern", "warning", None)]
    assert skipped[0].message.startswith(
        "This rule was skipped: its pattern took too long on this reply (over 1 ms)."
    )
    violations = [(f.rule, SLOW_REPLY[f.start : f.end]) for f in findings if f.kind == "violation"]
    assert violations == [("ban-unfortunately", "Unfortunately")]


def test_with_time_to_spare_the_same_rule_reports_its_matches() -> None:
    card = validate(ADVERBS).card
    text = "We quickly sent it."
    found = [(f.rule, f.kind, text[f.start : f.end]) for f in check(card, text)]
    assert found == [("ban-pattern", "violation", "quickly")]


def test_the_drafting_gate_reports_a_slow_rule_and_still_reviews_the_reply(
    database: Database,
) -> None:
    with database.transaction() as s:
        StyleCardService(s).import_card(ADVERBS, actor="bea", publish=True)
    gate = CardStyleGate(database, regex_timeout_ms=1)
    version, findings, _ = gate.review(
        SLOW_REPLY, channel="email", tier="standard", intent=None, customer_name=None
    )
    assert version == 1
    assert {(f["rule"], f["kind"]) for f in findings} == {
        ("ban-pattern", "skipped"),
        ("ban-unfortunately", "violation"),
    }


def _demo_patterns() -> list[str]:
    card = validate(demo_text()).card
    return [spec["pattern"] for spec in card.base_specs.values() if spec.get("regex")]


DEMO_PATTERNS = _demo_patterns()
# Words the demo card's regexes are made of, plus neighbours that nearly match them.
WORDS = sorted(
    {w for p in DEMO_PATTERNS for w in re.findall(r"[A-Za-z0-9%']+", p) if len(w) > 1}
    | {"sorry", "policy's", "guaranteed", "day", "hours", "2", "ünïcode", "fault", "never"}
)
TEXTS = st.lists(
    st.tuples(st.sampled_from(WORDS), st.sampled_from([str.lower, str.upper, str.title])).map(
        lambda pair: pair[1](pair[0])
    )
    | st.sampled_from([".", ",", "!", "\n\n", "’", "-"]),
    max_size=40,
).map(" ".join)


@given(TEXTS)
def test_the_demo_cards_regexes_match_exactly_what_re_matched(text: str) -> None:
    for pattern in DEMO_PATTERNS:
        finder = author_regex(pattern, case_sensitive=False)
        ignore_case = re.IGNORECASE if finder.pattern.flags & regex.IGNORECASE else 0
        stdlib = re.compile(finder.pattern.pattern, ignore_case)
        read = text.lower() if finder.lowered else text
        ours = [m.span() for m in finder.pattern.finditer(read)]
        assert ours == [m.span() for m in stdlib.finditer(read)], pattern


def test_normal_regex_rules_find_the_same_as_before(demo_card: CompiledCard) -> None:
    text = "Sorry for any inconvenience. As per my last email, it's our policy: I guarantee it."
    found = {(f.rule, text[f.start : f.end]) for f in check(demo_card, text)}
    assert {
        ("ban-inconvenience", "Sorry for any inconvenience"),
        ("ban-as-per", "As per my last email"),
        ("ban-policy-blame", "it's our policy"),
        ("promise-guarantee", "guarantee"),
    } <= found
