"""Fixtures for detection, escalation and the context package: the demo tickets and the real
detector (WordLlama, the packaged taxonomy and ``config/escalation.yaml``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from kb.demo import demo_tickets
from kb.index.encoders import WordLlamaEncoder
from retrieval.detection import TicketDetector
from retrieval.tickets import TicketIn

# The demo data's clock: midnight after its last ticket (2026-11-26 21:51 UTC). The labels'
# "sla" tickets are the open ones that had waited too long by then.
DEMO_NOW = datetime(2026, 11, 27, tzinfo=UTC)


@pytest.fixture(scope="session")
def demo() -> dict[str, dict[str, Any]]:
    """Every demo ticket by id, as ``kb.demo.demo_tickets`` reads them (labels included)."""
    return {t["id"]: t for t in demo_tickets()}


@pytest.fixture(scope="session")
def ticket(demo: dict[str, dict[str, Any]]) -> Callable[[str], TicketIn]:
    """A demo ticket as detection receives it."""
    return lambda ticket_id: TicketIn.from_api(demo[ticket_id])


@pytest.fixture(scope="session")
def detector(encoder: WordLlamaEncoder) -> TicketDetector:
    return TicketDetector.build(encoder)


def labelled(demo: dict[str, dict[str, Any]], trigger: str) -> list[str]:
    """The ids of the demo tickets whose labels say ``trigger`` must fire."""
    return sorted(i for i, t in demo.items() if trigger in t["labels"]["escalate"])
