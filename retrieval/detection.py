"""``TicketDetector``: the Detect step — what a ticket is about, how urgent, how the customer
feels, in which language, who they are, and whether a person must take it over.

Build it once (training the intent classifier takes a fraction of a second) and share it:
``detect`` only reads. It logs the ticket id and the labels it found, never ticket text or
customer fields.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kb.index.encoders import DenseEncoder
from retrieval.escalation import Escalation, EscalationRules, Findings, HistoryMatch
from retrieval.escalation_config import load_escalation_config
from retrieval.intents import IntentClassifier, IntentGuess, classifier_text
from retrieval.language import LanguageGuess, detect_language
from retrieval.priority import Priority, assess_priority
from retrieval.sentiment import Sentiment, analyse_sentiment
from retrieval.tickets import TicketIn

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Detection:
    """Everything detection found in one ticket."""

    ticket_id: str
    intent: IntentGuess
    priority: Priority
    sentiment: Sentiment
    language: LanguageGuess
    tier: str
    escalation: Escalation
    route_by: datetime | None = None  # when a person must own the ticket at the latest

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; the shape drafting stores with each draft."""
        return {
            "ticket_id": self.ticket_id,
            "intent": self.intent.to_dict(),
            "priority": self.priority.to_dict(),
            "sentiment": self.sentiment.to_dict(),
            "language": self.language.code,
            "tier": self.tier,
            "escalation": self.escalation.to_dict(),
            "route_by": self.route_by.isoformat() if self.route_by else None,
        }


class TicketDetector:
    """Detects intent, priority, sentiment, language and tier, and runs the escalation rules."""

    def __init__(self, *, intents: IntentClassifier, rules: EscalationRules) -> None:
        self.intents = intents
        self.rules = rules

    @classmethod
    def build(
        cls, encoder: DenseEncoder, *, escalation_config: Path | None = None
    ) -> TicketDetector:
        """The detector from the packaged files: the taxonomy, the labeled demo tickets and
        ``config/escalation.yaml`` (or ``escalation_config``). Bad configuration raises
        ``SettingsError`` naming the key."""
        return cls(
            intents=IntentClassifier.packaged(encoder),
            rules=EscalationRules(load_escalation_config(escalation_config)),
        )

    def detect(self, ticket: TicketIn, *, now: datetime) -> Detection:
        """Detect everything for ``ticket`` as of ``now`` (the SLA rule's clock)."""
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
        text = classifier_text(ticket.subject, ticket.body)
        intent = self.intents.classify(text)
        sentiment = analyse_sentiment([("subject", ticket.subject), ("body", ticket.body)])
        history = tuple(self._history(ticket, text))
        tier = ticket.tier
        escalation = self.rules.evaluate(ticket, Findings(intent, sentiment, history), now=now)
        detection = Detection(
            ticket_id=ticket.id,
            intent=intent,
            priority=assess_priority(
                intent=intent.id, tier=tier, sentiment=sentiment, text=ticket.text
            ),
            sentiment=sentiment,
            language=detect_language(ticket.text, fallback=ticket.customer.get("language")),
            tier=tier,
            escalation=escalation,
            route_by=self.rules.route_by(ticket),
        )
        # Ids and labels only: the ticket's words and the customer's details stay out of logs.
        log.info(
            "detected ticket %s: intent=%s (%.2f) priority=%s sentiment=%s language=%s tier=%s "
            "escalate=%s",
            ticket.id,
            intent.id,
            intent.confidence,
            detection.priority.label,
            sentiment.label,
            detection.language.code,
            tier,
            ",".join(escalation.triggers) or "-",
        )
        return detection

    def detect_ticket(self, ticket: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        """``detect`` for a validated API mapping, as a dict: what ``DraftService`` calls."""
        return self.detect(TicketIn.from_api(ticket), now=now).to_dict()

    def _history(self, ticket: TicketIn, text: str) -> list[HistoryMatch]:
        if not ticket.history:
            return []
        texts = [item.text for item in ticket.history]
        guesses = self.intents.classify_many(texts)
        similarities = self.intents.similarities(text, texts)
        return [
            HistoryMatch(guess.id, similarity)
            for guess, similarity in zip(guesses, similarities, strict=True)
        ]
