"""Escalation triggers on the demo tickets: each fires with its reason and evidence, and each
near miss stays silent."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from kb.errors import SettingsError
from retrieval.detection import TicketDetector
from retrieval.escalation import EscalationReason, EscalationRules
from retrieval.escalation_config import load_escalation_config, parse_escalation_config
from retrieval.tickets import HistoryItem, TicketIn
from tests.retrieval.conftest import DEMO_NOW, labelled

TicketFactory = Callable[[str], TicketIn]


def reasons(detector: TicketDetector, ticket: TicketIn, **kw: Any) -> dict[str, EscalationReason]:
    detection = detector.detect(ticket, now=kw.get("now", DEMO_NOW))
    return {r.trigger: r for r in detection.escalation.reasons}


def assert_points_into(ticket: TicketIn, reason: EscalationReason) -> None:
    evidence = reason.evidence
    assert evidence.text
    assert ticket.text_of(evidence.field)[evidence.start : evidence.end] == evidence.text


@pytest.mark.parametrize(
    ("trigger", "ticket_id", "evidence_field", "evidence_text"),
    [
        ("vip", "FH-10386", "customer.tier", "vip"),
        ("legal", "FH-10396", "subject", "attorney"),
        ("legal", "FH-10400", "subject", "Small claims"),
        ("legal", "FH-10413", "body", "complaint with the Data Protection Commission"),
        ("legal", "FH-10611", "subject", "cease and desist"),
        ("churn", "FH-10272", "subject", "switching to Zoho"),
        ("churn", "FH-10639", "subject", "Last chance"),
        ("churn", "FH-10180", "subject", "Cancelar"),
        ("repeat_contact", "FH-10310", "history[1].subject", "double charge again"),
        ("repeat_contact", "FH-10514", "history[1].subject", None),
        ("negative_sentiment", "FH-10409", "subject", "unacceptable"),
        ("negative_sentiment", "FH-10199", "body", "stupid"),
        ("sla", "FH-10410", "created_at", "2026-11-09T12:10:00+00:00"),
        ("sla", "FH-10479", "created_at", "2026-11-18T13:05:00+00:00"),
    ],
)
def test_each_trigger_fires_on_a_labelled_demo_ticket_with_its_evidence(
    detector: TicketDetector,
    ticket: TicketFactory,
    demo: dict[str, dict[str, Any]],
    trigger: str,
    ticket_id: str,
    evidence_field: str,
    evidence_text: str | None,
) -> None:
    assert trigger in demo[ticket_id]["labels"]["escalate"]
    found = reasons(detector, ticket(ticket_id))
    assert trigger in found
    reason = found[trigger]
    assert reason.reason.endswith(".")
    assert len(reason.reason.split()) >= 8
    assert reason.evidence.field == evidence_field
    if evidence_text is not None:
        assert reason.evidence.text.casefold() == evidence_text.casefold()
    assert_points_into(ticket(ticket_id), reason)


@pytest.mark.parametrize("trigger", ["vip", "legal", "churn", "repeat_contact", "sla"])
def test_every_demo_ticket_labelled_with_a_trigger_gets_it(
    detector: TicketDetector, ticket: TicketFactory, demo: dict[str, dict[str, Any]], trigger: str
) -> None:
    missed = [i for i in labelled(demo, trigger) if trigger not in reasons(detector, ticket(i))]
    assert missed == []


def test_most_angry_demo_tickets_trip_the_sentiment_trigger(
    detector: TicketDetector, ticket: TicketFactory, demo: dict[str, dict[str, Any]]
) -> None:
    angry = labelled(demo, "negative_sentiment")
    caught = [i for i in angry if "negative_sentiment" in reasons(detector, ticket(i))]
    # Measured 15 of 17 (the two misses are calm complaints about money); see the benchmark.
    assert len(caught) / len(angry) >= 0.8


def test_the_reasons_never_quote_the_ticket(
    detector: TicketDetector, ticket: TicketFactory
) -> None:
    found = reasons(detector, ticket("FH-10527"))  # churn, repeat contact and anger at once
    assert set(found) >= {"churn", "repeat_contact", "negative_sentiment"}
    body = ticket("FH-10527").body
    for reason in found.values():
        assert reason.evidence.text in body or reason.evidence.field.startswith("history")
        assert reason.evidence.text not in reason.reason


# --- near misses ----------------------------------------------------------------------------


def test_a_vip_word_in_the_body_does_not_make_a_standard_customer_vip(
    detector: TicketDetector, ticket: TicketFactory
) -> None:
    standard = ticket("FH-10124")
    assert standard.tier == "standard"
    boasting = replace(standard, body="As a VIP customer of five years I expect a QR code option.")
    assert "vip" not in reasons(detector, boasting)


@pytest.mark.parametrize(
    "body",
    [
        "Can I cancel the invoice I sent to the wrong client yesterday?",
        "How do I cancel a recurring schedule for one client?",
        "Two of my members cancel their membership with me every January.",
        "How long do you keep my data after I cancel? Asking for our records policy.",
    ],
)
def test_cancelling_something_other_than_fernhill_is_not_churn(
    detector: TicketDetector, ticket: TicketFactory, body: str
) -> None:
    question = replace(ticket("FH-10124"), subject="Quick question", body=body)
    assert "churn" not in reasons(detector, question)


def test_demo_tickets_that_cancel_an_invoice_or_payroll_are_not_churn(
    detector: TicketDetector, ticket: TicketFactory
) -> None:
    for ticket_id in ("FH-10222", "FH-10557", "FH-10310"):
        assert "churn" not in reasons(detector, ticket(ticket_id)), ticket_id


def test_a_tennis_court_is_not_a_law_court(detector: TicketDetector, ticket: TicketFactory) -> None:
    booking = replace(
        ticket("FH-10124"),
        subject="Invoice lines for tennis court bookings",
        body="We rent out two tennis courts; can each booking get its own invoice line?",
    )
    assert "legal" not in reasons(detector, booking)


def test_two_contacts_about_the_same_problem_months_ago_are_not_repeat_contact(
    detector: TicketDetector, ticket: TicketFactory
) -> None:
    # FH-10429: two earlier SEPA returns, in August and September; the ticket is from November.
    sepa = ticket("FH-10429")
    assert len(sepa.history) == 2
    assert "repeat_contact" not in reasons(detector, sepa)


def test_recent_contacts_about_other_things_are_not_repeat_contact(
    detector: TicketDetector, ticket: TicketFactory
) -> None:
    # FH-10622: a password problem after two recent questions about discounts and receipts.
    assert "repeat_contact" not in reasons(detector, ticket("FH-10622"))


def test_one_earlier_contact_is_not_enough_for_repeat_contact(
    detector: TicketDetector, ticket: TicketFactory
) -> None:
    assert "repeat_contact" not in reasons(detector, ticket("FH-10298"))  # second double charge


def test_moving_the_earlier_contacts_into_the_window_makes_it_repeat_contact(
    detector: TicketDetector, ticket: TicketFactory
) -> None:
    sepa = ticket("FH-10429")
    assert sepa.created_at is not None
    recent = tuple(
        replace(item, at=sepa.created_at - timedelta(days=days))
        for item, days in zip(sepa.history, (9, 3), strict=True)
    )
    found = reasons(detector, replace(sepa, history=recent))
    assert "repeat_contact" in found
    assert found["repeat_contact"].evidence.field == "history[1].subject"


def test_calm_tickets_do_not_trip_the_sentiment_trigger(
    detector: TicketDetector, ticket: TicketFactory
) -> None:
    for ticket_id in ("FH-10460", "FH-10152", "FH-10124"):
        assert "negative_sentiment" not in reasons(detector, ticket(ticket_id)), ticket_id


# --- the service-level rule -----------------------------------------------------------------


def test_the_sla_fires_only_once_the_time_with_the_ai_is_over(
    detector: TicketDetector, ticket: TicketFactory
) -> None:
    waiting = ticket("FH-10539")  # standard tier, email, open: 3 days with the AI
    deadline = detector.rules.route_by(waiting)
    assert deadline is not None
    assert waiting.created_at is not None
    assert deadline - waiting.created_at == timedelta(days=3)
    assert "sla" not in reasons(detector, waiting, now=deadline)
    late = reasons(detector, waiting, now=deadline + timedelta(minutes=1))
    assert "sla" in late
    assert "72 h allowed for standard email" in late["sla"].reason


def test_chat_and_premium_tickets_get_less_time_with_the_ai(
    detector: TicketDetector, ticket: TicketFactory
) -> None:
    chat = ticket("FH-10524")  # standard chat
    premium = ticket("FH-10511")  # premium email
    assert chat.created_at
    assert premium.created_at
    assert detector.rules.route_by(chat) == chat.created_at + timedelta(days=2)
    assert detector.rules.route_by(premium) == premium.created_at + timedelta(days=2)


def test_a_resolved_ticket_never_breaches_the_sla(
    detector: TicketDetector, ticket: TicketFactory
) -> None:
    resolved = ticket("FH-10124")
    assert resolved.status == "resolved"
    assert "sla" not in reasons(detector, resolved, now=DEMO_NOW + timedelta(days=365))


def test_a_ticket_without_a_creation_time_has_no_sla(
    detector: TicketDetector, ticket: TicketFactory
) -> None:
    undated = replace(ticket("FH-10410"), created_at=None)
    assert "sla" not in reasons(detector, undated)
    assert detector.rules.route_by(undated) is None


# --- configuration --------------------------------------------------------------------------


def packaged_config() -> dict[str, Any]:
    text = (Path(__file__).parents[2] / "config" / "escalation.yaml").read_text("utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def test_the_packaged_configuration_loads() -> None:
    config = load_escalation_config()
    assert config.repeat_contact.window_days == 14
    assert config.sla.limit("vip", "chat") == 1440
    assert config.sla.limit("unknown-tier", "email") == 4320


@pytest.mark.parametrize(
    ("change", "named_key"),
    [
        (lambda c: c["legal"]["patterns"].append("(unclosed"), "legal.patterns["),
        (lambda c: c["churn"].update(enabld=True), "churn.enabld"),
        (lambda c: c.pop("sla"), "sla"),
        (
            lambda c: c["repeat_contact"].update(window_days="two weeks"),
            "repeat_contact.window_days",
        ),
        (lambda c: c["negative_sentiment"].update(max_score=-3), "negative_sentiment.max_score"),
        (lambda c: c["sla"]["max_minutes_with_ai"]["vip"].update(chat=0), "vip.chat"),
        (lambda c: c["sla"]["max_minutes_with_ai"]["default"].pop("chat"), "default"),
        (lambda c: c["vip"].update(enabled="yes"), "vip.enabled"),
    ],
)
def test_a_bad_configuration_fails_naming_the_key(
    change: Callable[[dict[str, Any]], Any], named_key: str
) -> None:
    config = packaged_config()
    change(config)
    with pytest.raises(SettingsError, match=re.escape(named_key)):
        parse_escalation_config(config, source="test.yaml")


def test_a_configuration_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "escalation.yaml"
    broken.write_text("vip: [unclosed\n", "utf-8")
    with pytest.raises(SettingsError, match=r"escalation\.yaml"):
        load_escalation_config(broken)


def test_a_disabled_trigger_stays_silent(detector: TicketDetector, ticket: TicketFactory) -> None:
    config = packaged_config()
    config["vip"]["enabled"] = False
    quiet = TicketDetector(
        intents=detector.intents, rules=EscalationRules(parse_escalation_config(config))
    )
    found = quiet.detect(ticket("FH-10386"), now=DEMO_NOW).escalation.triggers
    assert "vip" not in found
    assert "repeat_contact" in found


def test_history_items_are_ordered_oldest_first_whatever_the_helpdesk_sends(
    demo: dict[str, dict[str, Any]],
) -> None:
    raw = dict(demo["FH-10310"], history=list(reversed(demo["FH-10310"]["history"])))
    history = TicketIn.from_api(raw).history
    assert [h.id for h in history] == ["FH-10274", "FH-10298"]
    assert all(isinstance(h, HistoryItem) and h.at and h.at.tzinfo for h in history)
