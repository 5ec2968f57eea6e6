"""What drafting asks about a ticket besides knowledge: detection and the handoff context."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kb.database import Database
from kb.index.encoders import DenseEncoder
from kb.redaction import Redactor
from retrieval.context import ContextBuilder
from retrieval.detection import TicketDetector
from retrieval.tickets import TicketIn


@dataclass(frozen=True)
class Handoff:
    """The context package (JSON-ready) and the ticket's subject and body as it redacted them."""

    package: dict[str, Any]
    subject: str
    body: str


class HandoffContext:
    """The context package for a ticket, with the ticket's redacted text."""

    def __init__(self, database: Database, redactor: Redactor) -> None:
        self.builder = ContextBuilder(database, redactor)

    def context_for(self, ticket: Mapping[str, Any]) -> Handoff:
        package, clean = self.builder.build_redacted(TicketIn.from_api(ticket))
        return Handoff(package.to_dict(), clean.subject, clean.body)


def detector_for(encoder: DenseEncoder) -> TicketDetector:
    return TicketDetector.build(encoder)
