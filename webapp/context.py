"""What a request needs from the app: settings, the database, the knowledge services.

The heavy services (the redactor's NER model, the embedding model, the index) are built on first
use, once per process, so commands that never touch the index (``tandem users create``) neither
pay for them nor take the Qdrant Edge lock a running server holds.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from kb.database import Database
from kb.settings import Settings

if TYPE_CHECKING:
    from ingest.pipeline import IngestPipeline
    from kb.index.encoders import DenseEncoder
    from kb.index.interfaces import VectorIndex
    from kb.redaction import Redactor
    from retrieval.decisions import DecisionService
    from retrieval.drafting import DraftService
    from retrieval.search import HybridSearch
    from review.services import RefreshService


@dataclass
class Tandem:
    """The app's long-lived services, built once by ``create_app`` (the heavy ones lazily)."""

    settings: Settings
    database: Database
    _built: dict[str, Any] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def _once(self, name: str, build: Any) -> Any:
        with self._lock:
            if name not in self._built:
                self._built[name] = build()
            return self._built[name]

    def redactor(self) -> Redactor:
        from kb.redaction import Redactor

        policy = Path(self.settings.pii_policy) if self.settings.pii_policy else None
        found: Redactor = self._once("redactor", lambda: Redactor.from_policy(policy))
        return found

    def encoder(self) -> DenseEncoder:
        from kb.index.encoders import configured_encoder

        found: DenseEncoder = self._once("encoder", lambda: configured_encoder(self.settings))
        return found

    def index(self) -> VectorIndex:
        from kb.index import open_index

        found: VectorIndex = self._once(
            "index", lambda: open_index(self.settings, self.database, self.encoder())
        )
        return found

    def pipeline(self) -> IngestPipeline:
        from ingest.pipeline import IngestPipeline

        def build() -> IngestPipeline:
            return IngestPipeline(
                self.database,
                self.index(),
                redactor=self.redactor(),
                encoder=self.encoder(),
                max_document_bytes=self.settings.max_document_bytes,
            )

        found: IngestPipeline = self._once("pipeline", build)
        return found

    def search(self) -> HybridSearch:
        from retrieval.search import HybridSearch

        def build() -> HybridSearch:
            # The query is a ticket's text: it is redacted before it is embedded or matched.
            return HybridSearch(
                self.database,
                self.index(),
                self.encoder(),
                redact=lambda text: self.redactor().redact(text).text,
            )

        found: HybridSearch = self._once("search", build)
        return found

    def drafts(self) -> DraftService:
        from retrieval.detection_adapter import HandoffContext, detector_for
        from retrieval.drafting import DraftService, RedactorAdapter
        from retrieval.llm import chat_model
        from retrieval.style_gate import CardStyleGate

        def build() -> DraftService:
            return DraftService(
                self.database,
                self.search(),
                redactor=RedactorAdapter(self.redactor()),
                detector=detector_for(self.encoder()),
                context=HandoffContext(self.database, self.redactor()),
                style=CardStyleGate(
                    self.database, regex_timeout_ms=self.settings.style_regex_timeout_ms
                ),
                config={
                    "mode": "extractive" if self.settings.llm_provider == "none" else "llm",
                    "embedding_model": self.settings.embedding_model,
                    "index": "qdrant-server" if self.settings.qdrant_url else "qdrant-edge",
                },
                llm=chat_model(self.settings),  # None unless llm_provider is set
            )

        found: DraftService = self._once("drafts", build)
        return found

    def decisions(self) -> DecisionService:
        from retrieval.decisions import DecisionService
        from retrieval.drafting import RedactorAdapter
        from retrieval.style_gate import CardStyleGate

        def build() -> DecisionService:
            return DecisionService(
                self.database,
                redactor=RedactorAdapter(self.redactor()),
                style=CardStyleGate(
                    self.database, regex_timeout_ms=self.settings.style_regex_timeout_ms
                ),
            )

        found: DecisionService = self._once("decisions", build)
        return found

    def refresh(self) -> RefreshService:
        from review.services import RefreshService

        def build() -> RefreshService:
            return RefreshService(
                self.database,
                redactor=self.redactor(),
                encoder=self.encoder(),
                search=self.search(),
                pipeline=self.pipeline(),
                # New articles from approved proposals live here (their origin folder).
                knowledge_dir=self.settings.data_dir / "knowledge" / "reviewed",
                interval_days=self.settings.review_interval_days,
            )

        found: RefreshService = self._once("refresh", build)
        return found

    def close(self) -> None:
        """Release the index (and its Edge lock) and the database pool."""
        with self._lock:
            index = self._built.pop("index", None)
            self._built.pop("pipeline", None)
            self._built.pop("search", None)
            self._built.pop("drafts", None)
            self._built.pop("decisions", None)
            self._built.pop("refresh", None)
            if index is not None:
                index.close()
        self.database.dispose()


def tandem(app: Flask | None = None) -> Tandem:
    found: Tandem = (app or current_app).extensions["tandem"]
    return found


def db() -> Session:
    """The request's database session; views commit explicitly, teardown rolls back the rest."""
    if "db_session" not in g:
        g.db_session = tandem().database.sessions()
    session: Session = g.db_session
    return session


def close_db(_exc: BaseException | None = None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
