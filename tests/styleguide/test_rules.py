"""Every rule type of the demo card: a reply that must trigger it and a near miss that must not."""

from __future__ import annotations

import pytest

from styleguide.card import CompiledCard
from styleguide.checker import check
from styleguide.findings import CheckContext
from styleguide.rules import RULE_TYPES

EMAIL = CheckContext()
DANA = CheckContext(customer_name="Dana Whitfield", agent_name="Jess Moreno")
LONG = " ".join(["word"] * 34) + "."

# (rule id, context, a reply that breaks the rule, a near miss that must not)
CASES = [
    (
        "greeting-style",
        DANA,
        "Dear Sir/Madam,\n\nYour payout left today.",
        "Hi Dana,\n\nYour payout left today.",
    ),
    (
        "signoff-style",
        EMAIL,
        "All set now.\n\nRegards, The Team",
        "All set now.\n\n— Jess, Fernhill Support",
    ),
    ("term-sign-in", EMAIL, "Log in to your account.", "Open the login page and sign in."),
    (
        "term-fernhill",
        EMAIL,
        "FernHill sends reminders.",
        "Write to billing@fernhill.example today.",
    ),
    (
        "ban-unfortunately",
        EMAIL,
        "Unfortunately, it failed.",
        "> Unfortunately it failed\n\nI have fixed it.",
    ),
    (
        "ban-unfortunately",
        EMAIL,
        "It failed, unfortunately.",
        "See https://status.fernhill.example/unfortunately-late for details.",
    ),
    (
        "ban-unfortunately",
        EMAIL,
        "Sadly and unfortunately, no.",
        "Run `unfortunately --dry-run` to test it.",
    ),
    ("ban-kindly", EMAIL, "Kindly send the invoice.", "That was unkindly worded, and I am sorry."),
    (
        "promise-guarantee",
        EMAIL,
        "I guarantee the payout arrives.",
        "> Can you guarantee it?\n\nI will check on Thursday.",
    ),
    (
        "promise-absolute-timeline",
        EMAIL,
        "It will be fixed by end of day.",
        "I will update you on Thursday.",
    ),
    (
        "promise-liability",
        EMAIL,
        "It was entirely our fault and we'll cover all your losses.",
        "I have passed this to the team that reviews compensation.",
    ),
    (
        "promise-never-again",
        EMAIL,
        "This will never happen again.",
        "We added a check so this is caught earlier.",
    ),
    (
        "disclaimer-refund",
        EMAIL,
        "I've refunded the duplicate charge.",
        "I've refunded the duplicate charge. Refunds are returned to the original payment "
        "method within 5–10 business days.",
    ),
    (
        "disclaimer-legal",
        EMAIL,
        "Your lawyer can write to us.",
        "Your lawyer can write to us. This message is not legal advice.",
    ),
    (
        "tone-exclamations",
        EMAIL,
        "Great!! Your payout is on its way!",
        "Your payout is on its way!",
    ),
    ("tone-emoji", EMAIL, "Your invoice has been sent 🎉", "Your invoice has been sent."),
    (
        "tone-all-caps",
        EMAIL,
        "You MUST approve payroll today.",
        "Download the PDF and the CSV export (INV-0042).",
    ),
    ("tone-sentence-length", EMAIL, LONG, "Go to Settings. Select Change to add the account."),
    (
        "tone-readability",
        EMAIL,
        "The authorisation request was subsequently declined by the issuing institution "
        "notwithstanding successful tokenisation.",
        "Your card was declined by your bank. Please try another card or pay by bank debit.",
    ),
    (
        "tone-hedging",
        EMAIL,
        "I think maybe the payout will hopefully arrive today.",
        "I think the payout arrives today.",
    ),
    (
        "tone-apology",
        EMAIL,
        "Sorry about this. We apologise for the delay. Sorry again.",
        "I'm sorry the reset email took so long.",
    ),
    ("tone-formality", EMAIL, "We're gonna look at it today.", "We're going to look at it today."),
    (
        "repetition-words",
        EMAIL,
        "Check the the settings.",
        "Check the settings, then the billing page.",
    ),
    (
        "repetition-words",
        EMAIL,
        "The account has an issue with the account settings, so the account owner must "
        "update the account.",
        "The account owner must update the settings.",
    ),
    (
        "consistency-email",
        EMAIL,
        "Check the e-mail we sent to your email address.",
        "Check the email we sent to your email address.",
    ),
    (
        "consistency-ok",
        EMAIL,
        "That's ok, I can resend it. Okay?",
        "That's OK, I can resend the invite.",
    ),
    (
        "cap-brand-names",
        EMAIL,
        "Your Quickbooks import finished.",
        "Your QuickBooks import finished; see quickbooks.example.com.",
    ),
    (
        "cap-plan-names",
        EMAIL,
        "That is in the growth plan.",
        "Your business has seen real growth this year.",
    ),
    ("personalization-name", EMAIL, "No problem buddy, it is sorted.", "No problem, it is sorted."),
    ("personalization-name", DANA, "Hi there, it is sorted.", "Hi Dana, it is sorted."),
    (
        "bad-news-structure",
        EMAIL,
        "We cannot release the payout.",
        "I can see why you want it today. Because the account changed, payouts are held for "
        "72 hours. I'll check it goes out on Thursday, and we cannot speed it up.",
    ),
    (
        "spelling-brand",
        EMAIL,
        "You'll recieve the Fernhil invoice.",
        "You'll receive the Fernhill invoice.",
    ),
]


def _rules(card: CompiledCard, text: str, context: CheckContext) -> list[str]:
    return [finding.rule for finding in check(card, text, context)]


@pytest.mark.parametrize(
    ("rule", "context", "breaks", "near_miss"), CASES, ids=[c[0] for c in CASES]
)
def test_a_breaking_reply_triggers_the_rule_and_a_near_miss_does_not(
    demo_card: CompiledCard, rule: str, context: CheckContext, breaks: str, near_miss: str
) -> None:
    assert rule in _rules(demo_card, breaks, context)
    assert rule not in _rules(demo_card, near_miss, context)


def test_every_rule_type_has_a_case_and_a_rule_in_the_demo_card(demo_card: CompiledCard) -> None:
    sections = {spec["section"] for spec in demo_card.base_specs.values()}
    covered = {demo_card.base_specs[rule]["section"] for rule, *_ in CASES}
    assert sections == covered == {rule_type.section for rule_type in RULE_TYPES}


def test_a_refund_reply_needs_the_refund_disclaimer_by_intent_too(demo_card: CompiledCard) -> None:
    refund = CheckContext(intent="refund_request")
    reply = "I've sent the duplicate charge back to your card."
    findings = [f for f in check(demo_card, reply, refund) if f.rule == "disclaimer-refund"]
    assert [(f.severity, f.suggestion) for f in findings] == [
        ("error", "Refunds are returned to the original payment method within 5–10 business days.")
    ]
    with_it = (
        reply + " Refunds are returned to the original payment method within 5-10 business days."
    )
    assert "disclaimer-refund" not in _rules(demo_card, with_it, refund)


def test_a_disclaimer_inside_a_quoted_message_does_not_count(demo_card: CompiledCard) -> None:
    quoted = "> This message is not legal advice.\n\nYour lawyer can write to us."
    assert "disclaimer-legal" in _rules(demo_card, quoted, EMAIL)


def test_chat_overrides_allow_more_exclamations_and_drop_a_rule(demo_card: CompiledCard) -> None:
    chat = CheckContext(channel="chat")
    assert "tone-exclamations" not in _rules(demo_card, "Done! All set!", chat)
    assert "term-two-factor" in _rules(demo_card, "Reset 2FA with a backup code.", EMAIL)
    assert "term-two-factor" not in _rules(demo_card, "Reset 2FA with a backup code.", chat)


def test_vip_overrides_win_over_chat_ones(demo_card: CompiledCard) -> None:
    vip_chat = CheckContext(channel="chat", tier="vip")
    assert "tone-exclamations" in _rules(demo_card, "Done!", vip_chat)
    assert "ban-no-worries-vip" in _rules(demo_card, "No worries, done.", vip_chat)
    assert "ban-no-worries-vip" not in _rules(demo_card, "No worries, done.", EMAIL)


def test_findings_carry_spans_into_the_original_text(demo_card: CompiledCard) -> None:
    text = "Hi Dana,\n\nPlease log in to see it."
    finding = next(f for f in check(demo_card, text, DANA) if f.rule == "term-sign-in")
    assert text[finding.start : finding.end] == "log in"
    assert (finding.severity, finding.suggestion) == ("warning", "sign in")
