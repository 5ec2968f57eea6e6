"""Detection on the demo tickets: intent (measured on held-out tickets), sentiment, priority,
language and tier, the JSON it returns, and what it logs."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from statistics import mean
from typing import Any

import pytest

from kb.errors import InvalidInput
from kb.index.encoders import WordLlamaEncoder
from retrieval.detection import TicketDetector
from retrieval.intents import (
    FALLBACK_INTENT,
    IntentClassifier,
    classifier_text,
    load_taxonomy,
    taxonomy_examples,
    ticket_examples,
)
from retrieval.language import detect_language
from retrieval.tickets import TicketIn
from tests.retrieval.conftest import DEMO_NOW
from webapp.api.schemas import TicketSchema

TicketFactory = Callable[[str], TicketIn]
FOLDS = 4
# Measured: 0.76 mean accuracy over the 4 stratified folds below (0.68-0.81 per fold); chance
# is 1/22 and always answering the commonest intent scores 0.065. The floors leave room for
# the fold-to-fold spread, and fail if a change costs more than a few tickets in each fold.
MEAN_ACCURACY_FLOOR = 0.70
FOLD_ACCURACY_FLOOR = 0.60


def stratified_folds(demo: dict[str, dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Every FOLDS-th ticket of each intent (by id) in the same fold: each fold holds out about
    a quarter of every intent."""
    by_intent: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ticket_id in sorted(demo):
        by_intent[demo[ticket_id]["labels"]["intent"]].append(demo[ticket_id])
    return [
        [t for tickets in by_intent.values() for t in tickets[fold::FOLDS]] for fold in range(FOLDS)
    ]


def test_intent_is_right_for_most_held_out_tickets(
    demo: dict[str, dict[str, Any]], encoder: WordLlamaEncoder
) -> None:
    taxonomy = load_taxonomy()
    accuracies = []
    for held_out in stratified_folds(demo):
        ids = {t["id"] for t in held_out}
        train = [t for t in demo.values() if t["id"] not in ids]
        classifier = IntentClassifier(
            taxonomy, taxonomy_examples(taxonomy) + ticket_examples(train), encoder=encoder
        )
        guesses = classifier.classify_many(
            [classifier_text(t["subject"], t["body"]) for t in held_out]
        )
        right = [g.id == t["labels"]["intent"] for g, t in zip(guesses, held_out, strict=True)]
        accuracies.append(mean(right))
    assert min(accuracies) >= FOLD_ACCURACY_FLOOR, accuracies
    assert mean(accuracies) >= MEAN_ACCURACY_FLOOR, accuracies


def test_confident_intents_are_usually_right(
    demo: dict[str, dict[str, Any]], encoder: WordLlamaEncoder
) -> None:
    taxonomy = load_taxonomy()
    confident = []
    for held_out in stratified_folds(demo):
        ids = {t["id"] for t in held_out}
        train = [t for t in demo.values() if t["id"] not in ids]
        classifier = IntentClassifier(
            taxonomy, taxonomy_examples(taxonomy) + ticket_examples(train), encoder=encoder
        )
        for t in held_out:
            guess = classifier.classify(classifier_text(t["subject"], t["body"]))
            if guess.confidence >= 0.7:
                confident.append(guess.id == t["labels"]["intent"])
    assert len(confident) >= 60
    assert mean(confident) >= 0.85


def test_text_the_classifier_has_never_seen_anything_like_is_other(
    detector: TicketDetector,
) -> None:
    guess = detector.intents.classify("zxqv blorp wug")
    assert guess.id == FALLBACK_INTENT
    assert guess.confidence == 0.0


@pytest.mark.parametrize(
    ("ticket_id", "language"),
    [
        ("FH-10180", "es"),
        ("FH-10188", "es"),
        ("FH-10270", "es"),
        ("FH-10382", "es"),
        ("FH-10263", "de"),
        ("FH-10333", "de"),
        ("FH-10429", "de"),
        ("FH-10269", "fr"),
        ("FH-10399", "fr"),
        ("FH-10124", "en"),
    ],
)
def test_the_language_of_demo_tickets_is_detected(
    detector: TicketDetector, ticket: TicketFactory, ticket_id: str, language: str
) -> None:
    assert detector.detect(ticket(ticket_id), now=DEMO_NOW).language.code == language


def test_every_demo_ticket_gets_its_labelled_language(demo: dict[str, dict[str, Any]]) -> None:
    wrong = [
        i
        for i, t in demo.items()
        if detect_language(f"{t['subject']}\n{t['body']}").code != t["labels"]["language"]
    ]
    assert wrong == []


def test_a_one_word_message_falls_back_to_the_profile_language() -> None:
    assert detect_language("Danke", fallback="de").code == "de"
    assert detect_language("ok").code == "en"


def test_an_angry_ticket_is_negative_and_a_thankful_one_positive(
    detector: TicketDetector, ticket: TicketFactory
) -> None:
    angry = detector.detect(ticket("FH-10490"), now=DEMO_NOW).sentiment
    thanks = detector.detect(ticket("FH-10460"), now=DEMO_NOW).sentiment
    assert angry.label == "negative"
    assert angry.score <= -0.8
    assert {c.kind for c in angry.cues} >= {"shouting"}
    assert thanks.label == "positive"
    assert thanks.score > 0


def test_a_plain_question_is_neutral(detector: TicketDetector, ticket: TicketFactory) -> None:
    assert detector.detect(ticket("FH-10124"), now=DEMO_NOW).sentiment.label == "neutral"


@pytest.mark.parametrize(
    ("ticket_id", "priority"),
    [
        ("FH-10248", "urgent"),  # payroll deadline missed, payday Friday
        ("FH-10490", "urgent"),  # locked out, payroll due today, third time
        ("FH-10209", "low"),  # "do you have a Zapier integration?"
        ("FH-10124", "normal"),
        ("FH-10400", "high"),  # small claims threat over an outage
    ],
)
def test_priority_follows_the_stakes(
    detector: TicketDetector, ticket: TicketFactory, ticket_id: str, priority: str
) -> None:
    assert detector.detect(ticket(ticket_id), now=DEMO_NOW).priority.label == priority


def test_the_tier_comes_from_the_profile_and_defaults_to_standard(ticket: TicketFactory) -> None:
    okafor = ticket("FH-10386")
    assert okafor.tier == "vip"
    assert replace(okafor, customer={"tier": "VIP"}).tier == "vip"
    assert replace(okafor, customer={"tier": "platinum"}).tier == "standard"
    assert replace(okafor, customer={}).tier == "standard"


def test_detection_is_json_with_every_signal(
    detector: TicketDetector, ticket: TicketFactory
) -> None:
    detection = detector.detect(ticket("FH-10527"), now=DEMO_NOW).to_dict()
    assert json.loads(json.dumps(detection)) == detection
    assert detection["intent"]["id"] == "payout_delay"
    assert 0 <= detection["intent"]["confidence"] <= 1
    assert detection["priority"]["label"] == "urgent"
    assert detection["sentiment"]["label"] == "negative"
    assert detection["language"] == "en"
    assert detection["tier"] == "standard"
    assert detection["escalation"]["required"] is True
    triggers = [r["trigger"] for r in detection["escalation"]["reasons"]]
    assert triggers == ["churn", "repeat_contact", "negative_sentiment"]
    assert detection["route_by"] == "2026-11-28T15:36:00+00:00"


def test_a_ticket_validated_by_the_api_schema_is_detected(
    detector: TicketDetector, demo: dict[str, dict[str, Any]]
) -> None:
    raw = demo["FH-10514"]
    payload = {
        "id": raw["id"],
        "channel": raw["channel"],
        "status": raw["status"],
        "subject": raw["subject"],
        "body": raw["body"],
        "created_at": raw["created_at"].isoformat(),
        "customer": raw["customer"],
        "history": raw["history"],
    }
    loaded = TicketSchema().load(payload)
    detection = detector.detect_ticket(loaded, DEMO_NOW)
    assert detection["ticket_id"] == "FH-10514"
    assert [r["trigger"] for r in detection["escalation"]["reasons"]] == ["repeat_contact"]
    ticket = TicketIn.from_api(loaded)
    assert ticket.customer["since"] == "2021-10-11"  # a date from the schema, kept as text
    assert [h.id for h in ticket.history] == ["FH-10457", "FH-10483", "FH-10490"]


def test_a_calm_standard_ticket_needs_no_human(
    detector: TicketDetector, ticket: TicketFactory
) -> None:
    detection = detector.detect(ticket("FH-10124"), now=DEMO_NOW)
    assert detection.escalation.required is False
    assert detection.to_dict()["escalation"] == {"required": False, "reasons": []}


def test_logs_hold_ids_and_labels_but_no_ticket_text_or_customer_details(
    detector: TicketDetector, ticket: TicketFactory, caplog: pytest.LogCaptureFixture
) -> None:
    okafor = ticket("FH-10386")
    with caplog.at_level(logging.DEBUG):
        detector.detect(okafor, now=DEMO_NOW)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "FH-10386" in logged
    assert "payroll_run_issue" in logged
    secrets = [str(v) for v in okafor.customer.values() if isinstance(v, str) and len(v) > 3]
    secrets += ["Grace Mensah", "1,742.18", okafor.subject]
    secrets += [w for w in okafor.body.split() if len(w) > 8]
    assert [s for s in secrets if s in logged] == []


def test_a_missing_body_is_refused_with_the_field_named(demo: dict[str, dict[str, Any]]) -> None:
    with pytest.raises(InvalidInput) as caught:
        TicketIn.from_api({**demo["FH-10124"], "body": ""})
    assert "body" in caught.value.errors


def test_a_naive_now_is_taken_as_utc(detector: TicketDetector, ticket: TicketFactory) -> None:
    naive = DEMO_NOW.replace(tzinfo=None)
    assert detector.detect(ticket("FH-10410"), now=naive).escalation.triggers == ["sla"]


def test_threads_can_share_one_detector(
    detector: TicketDetector, demo: dict[str, dict[str, Any]]
) -> None:
    tickets = [TicketIn.from_api(t) for t in list(demo.values())[:60]]
    alone = [detector.detect(t, now=DEMO_NOW).to_dict() for t in tickets]
    with ThreadPoolExecutor(max_workers=4) as pool:
        shared = list(pool.map(lambda t: detector.detect(t, now=DEMO_NOW).to_dict(), tickets))
    assert shared == alone
