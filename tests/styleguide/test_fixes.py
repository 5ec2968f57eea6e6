"""One-click fixes (safe or needing review) and suppressions recorded in the audit log."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from kb.audit import AuditLog
from kb.errors import InvalidInput
from kb.redaction import Redactor
from styleguide.card import CompiledCard
from styleguide.checker import check
from styleguide.findings import CheckContext
from styleguide.fixes import Suppression, apply_fixes, suppress, without_suppressed

DANA = CheckContext(customer_name="Dana Whitfield", agent_name="Jess Moreno")


def test_safe_fixes_apply_at_once_and_review_ones_only_when_asked(demo_card: CompiledCard) -> None:
    text = "Hi Dana,\n\nFernHill moved your pay-out. Log in to see it.\n\n— Jess, Fernhill Support"
    findings = check(demo_card, text, DANA)
    fixed = apply_fixes(text, findings)
    assert "Fernhill moved your payout. Log in" in fixed
    reviewed = apply_fixes(text, findings, include_review=True)
    assert "Sign in to see it." in reviewed


def test_a_forbidden_greeting_is_replaced_with_the_customers_name(demo_card: CompiledCard) -> None:
    text = "Dear customer,\n\nYour payout is on its way.\n\n— Jess, Fernhill Support"
    finding = next(f for f in check(demo_card, text, DANA) if f.rule == "greeting-style")
    assert finding.fix is not None
    assert finding.fix.safe
    assert apply_fixes(text, [finding]).startswith("Hi Dana,\n\nYour payout")


def test_a_greeting_without_a_known_name_needs_review(demo_card: CompiledCard) -> None:
    finding = next(
        f for f in check(demo_card, "Dear customer,\n\nDone.") if f.rule == "greeting-style"
    )
    assert finding.fix is not None
    assert not finding.fix.safe
    assert finding.suggestion == "Hi [first name],"


def test_a_forbidden_sign_off_is_replaced_with_the_agents(demo_card: CompiledCard) -> None:
    text = "Hi Dana,\n\nDone.\n\nRegards, The Team"
    finding = next(f for f in check(demo_card, text, DANA) if f.rule == "signoff-style")
    assert apply_fixes(text, [finding]).endswith("Done.\n\nBest,\nJess, Fernhill Support")


def test_a_missing_sign_off_is_added(demo_card: CompiledCard) -> None:
    text = "Hi Dana,\n\nDone."
    finding = next(f for f in check(demo_card, text, DANA) if f.rule == "signoff-style")
    assert apply_fixes(text, [finding]) == text + "\n\nBest,\nJess, Fernhill Support"


def test_a_doubled_word_fix_removes_the_second(demo_card: CompiledCard) -> None:
    text = "Check the the settings."
    assert apply_fixes(text, check(demo_card, text)) == "Check the settings."


def test_a_suppression_needs_a_reason_and_is_audited(session: Session, redactor: Redactor) -> None:
    finding = Suppression("draft:42", "ban-kindly", 0, 6, "   ")
    with pytest.raises(InvalidInput) as caught:
        suppress(session, finding, actor="alice", card_version=3, redact=_redact(redactor))
    assert "reason" in caught.value.errors
    entry = suppress(
        session,
        Suppression("draft:42", "ban-kindly", 0, 6, "Quoting the customer's own words"),
        actor="alice",
        card_version=3,
        redact=_redact(redactor),
    )
    assert (entry.action, entry.subject, entry.details["card_version"]) == (
        "style.suppress",
        "reply:draft:42",
        3,
    )
    assert entry.details["reason"] == "Quoting the customer's own words"
    assert AuditLog(session).entries(action="style.suppress") == [entry]


def test_a_suppression_reason_is_stored_without_the_names_and_addresses_in_it(
    session: Session, redactor: Redactor
) -> None:
    reason = "Dana Whitfield asked for this wording; she is at dana.whitfield@example.com"
    entry = suppress(
        session,
        Suppression("draft:42", "ban-kindly", 0, 6, reason),
        actor="alice",
        card_version=3,
        redact=_redact(redactor),
    )
    stored = entry.details["reason"]
    assert stored.startswith("<PERSON_1> asked for this wording; she is at <EMAIL_ADDRESS_1>")
    assert "dana" not in entry.data.lower()


def _redact(redactor: Redactor) -> Callable[[str], str]:
    return lambda text: redactor.redact(text).text


def test_suppressed_findings_are_left_out(demo_card: CompiledCard) -> None:
    findings = check(demo_card, "Kindly send it.")
    kindly = next(f for f in findings if f.rule == "ban-kindly")
    kept = without_suppressed(
        findings, [Suppression("r", "ban-kindly", kindly.start, kindly.end, "ok")]
    )
    assert "ban-kindly" not in [f.rule for f in kept]
