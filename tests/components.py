"""Real components for knowledge tests (ingestion, retrieval): Presidio + spaCy, WordLlama,
Qdrant Edge (and the server backend through qdrant-client), SQLite.

Registered for the whole suite by ``pytest_plugins`` in ``tests/conftest.py``.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from qdrant_client import QdrantClient

from ingest.pipeline import IngestPipeline
from kb.database import Database
from kb.index.edge import EdgeIndex
from kb.index.encoders import WordLlamaEncoder
from kb.index.interfaces import VectorIndex
from kb.index.server import ServerIndex
from kb.redaction import Redactor
from retrieval.search import HybridSearch
from webapp import migrate


@pytest.fixture(scope="session")
def redactor() -> Redactor:
    """Loading spaCy takes seconds; one redactor serves the whole run (it is stateless)."""
    return Redactor.from_policy()


@pytest.fixture(scope="session")
def encoder() -> WordLlamaEncoder:
    return WordLlamaEncoder()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "var"
    path.mkdir()
    return path


@pytest.fixture
def kb_database(data_dir: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{data_dir / 'tandem.db'}")
    migrate.upgrade(database)
    yield database
    database.dispose()


# A real Qdrant server, when one is reachable (TANDEM_TEST_QDRANT_URL=http://host:6333).
QDRANT_SERVER = os.environ.get("TANDEM_TEST_QDRANT_URL", "")


@pytest.fixture(params=["edge", "qdrant-client", "qdrant-server"])
def index(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[VectorIndex]:
    """Both backends: Qdrant Edge, and the server backend through qdrant-client's API: against
    a real server when TANDEM_TEST_QDRANT_URL names one, always through the client's local mode,
    which accepts the same calls (none runs on this machine)."""
    if request.param == "edge":
        built: VectorIndex = EdgeIndex(data_dir / "qdrant", dim=256)
    elif request.param == "qdrant-server":
        if not QDRANT_SERVER:
            pytest.skip("no Qdrant server: set TANDEM_TEST_QDRANT_URL to run against one")
        collection = f"tandem_test_{uuid.uuid4().hex[:12]}"
        built = ServerIndex(QdrantClient(url=QDRANT_SERVER), collection, dim=256)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # local mode warns that payload indexes are no-ops
            built = ServerIndex(QdrantClient(location=":memory:"), "tandem_chunks", dim=256)
    yield built
    if request.param == "qdrant-server":
        built.client.delete_collection(built.collection)  # type: ignore[attr-defined]
    built.close()


@pytest.fixture
def pipeline(
    kb_database: Database, index: VectorIndex, redactor: Redactor, encoder: WordLlamaEncoder
) -> IngestPipeline:
    return IngestPipeline(kb_database, index, redactor=redactor, encoder=encoder)


@pytest.fixture
def search(
    kb_database: Database, index: VectorIndex, encoder: WordLlamaEncoder, redactor: Redactor
) -> HybridSearch:
    """Search as the app builds it: the query is redacted by the real redactor first."""
    return HybridSearch(kb_database, index, encoder, redact=lambda text: redactor.redact(text).text)


@pytest.fixture
def write_doc(tmp_path: Path) -> Callable[..., Path]:
    """Write a Markdown article with front matter into the test's knowledge folder."""
    root = tmp_path / "knowledge"
    root.mkdir()

    def write(name: str, body: str, **front: Any) -> Path:
        meta = {"source": "public", "approved": True, **front}
        lines = [
            f"{key}: {str(value).lower() if isinstance(value, bool) else value}"
            for key, value in meta.items()
        ]
        path = root / f"{name}.md"
        path.write_text("---\n" + "\n".join(lines) + "\n---\n\n" + body, encoding="utf-8")
        return root

    return write
