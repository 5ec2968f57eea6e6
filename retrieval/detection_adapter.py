"""What drafting asks about a ticket besides knowledge: detection and the handoff context."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kb.database import Database
from kb.index.encoders import DenseEncoder
from kb.redaction import Redactor
from retrieval.context import ContextBuilder
from retrieval.detection import TicketDetector
from retrieval.tickets import TicketIn


class HandoffContext:
    """The context package for a ticket, as a JSON-ready mapping."""

    def __init__(self, database: Database, redactor: Redactor) -> None:
        self.builder = ContextBuilder(database, redactor)

    def context_for(self, ticket: Mapping[str, Any]) -> dict[str, Any]:
        package: dict[str, Any] = self.builder.build(TicketIn.from_api(ticket)).to_dict()
        return package


def detector_for(encoder: DenseEncoder) -> TicketDetector:
    return TicketDetector.build(encoder)
