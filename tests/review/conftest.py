"""Knowledge-refresh fixtures: the demo knowledge base (real Qdrant Edge, WordLlama, the real
redactor from ``tests/components.py``), the demo's resolved tickets, and the refresh service.

Ingesting the demo articles takes a few seconds, so it is done once per module into a template
folder; each test gets its own copy of the SQLite file and the Edge shard.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from ingest.pipeline import IngestPipeline
from kb.database import Database
from kb.demo import articles_dir, demo_tickets
from kb.index.edge import EdgeIndex
from kb.index.encoders import WordLlamaEncoder
from kb.redaction import Redactor
from kb.tickets import TicketStore
from retrieval.drafts import TicketResolution
from retrieval.search import HybridSearch
from review.services import RefreshService
from webapp import migrate

# The demo data's clock: the day after its last ticket.
TODAY = date(2026, 11, 27)
QR_TICKETS = ("FH-10124", "FH-10163", "FH-10177", "FH-10221", "FH-10296", "FH-10350", "FH-10415")


@dataclass
class Refresh:
    """The refresh service and the real components behind it, on one test's own copy."""

    database: Database
    index: EdgeIndex
    pipeline: IngestPipeline
    search: HybridSearch
    service: RefreshService
    knowledge_dir: Path


@pytest.fixture(scope="module")
def demo_template(
    tmp_path_factory: pytest.TempPathFactory, redactor: Redactor, encoder: WordLlamaEncoder
) -> Path:
    """A data folder with the demo articles ingested (SQLite + Edge shard), built once."""
    folder = tmp_path_factory.mktemp("refresh-template")
    database = Database(f"sqlite:///{folder / 'tandem.db'}")
    migrate.upgrade(database)
    index = EdgeIndex(folder / "qdrant", dim=256)
    IngestPipeline(database, index, redactor=redactor, encoder=encoder).ingest(
        Path(str(articles_dir())), actor="test"
    )
    index.close()
    database.dispose()
    return folder


@pytest.fixture
def refresh(
    demo_template: Path, tmp_path: Path, redactor: Redactor, encoder: WordLlamaEncoder
) -> Iterator[Refresh]:
    folder = tmp_path / "var"
    shutil.copytree(demo_template, folder)
    database = Database(f"sqlite:///{folder / 'tandem.db'}")
    index = EdgeIndex(folder / "qdrant", dim=256)
    pipeline = IngestPipeline(database, index, redactor=redactor, encoder=encoder)
    search = HybridSearch(database, index, encoder, redact=lambda text: redactor.redact(text).text)
    knowledge_dir = folder / "knowledge" / "reviewed"
    service = RefreshService(
        database,
        redactor=redactor,
        encoder=encoder,
        search=search,
        pipeline=pipeline,
        knowledge_dir=knowledge_dir,
        interval_days=90,
        today=lambda: TODAY,
    )
    yield Refresh(database, index, pipeline, search, service, knowledge_dir)
    index.close()
    database.dispose()


@pytest.fixture(scope="session")
def demo_by_id() -> dict[str, dict[str, Any]]:
    return {t["id"]: t for t in demo_tickets()}


Resolve = Callable[..., TicketResolution]


@pytest.fixture
def resolve(refresh: Refresh, redactor: Redactor, demo_by_id: dict[str, dict[str, Any]]) -> Resolve:
    """Report a demo ticket resolved as the helpdesk would: the ticket stored, then its
    resolution with the final reply redacted (``overrides`` change the ticket or the reply)."""

    def report(
        ticket_id: str, *, draft_id: str | None = None, **overrides: Any
    ) -> TicketResolution:
        ticket = {**demo_by_id[ticket_id], **overrides}
        with refresh.database.transaction() as session:
            TicketStore(session).upsert(
                {k: v for k, v in ticket.items() if k not in ("final_reply", "outcome", "csat")}
            )
            resolution = TicketResolution(
                ticket_ref=ticket_id,
                resolved_at=datetime.now(UTC),
                final_reply=redactor.redact(ticket["final_reply"]).text,
                outcome=ticket.get("outcome") or "solved",
                csat=ticket.get("csat"),
                reopened=bool(ticket.get("reopened")),
                draft_id=draft_id,
                reported_by="token:helpdesk",
            )
            session.add(resolution)
            session.flush()
            return resolution

    return report
