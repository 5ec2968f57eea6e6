"""Choosing and opening the configured index backend."""

from __future__ import annotations

import warnings

from kb.database import Database
from kb.index.edge import EdgeIndex
from kb.index.encoders import DenseEncoder
from kb.index.interfaces import VectorIndex
from kb.index.state import check_or_record
from kb.settings import Settings


def open_index(
    settings: Settings, database: Database, encoder: DenseEncoder, *, check_model: bool = True
) -> VectorIndex:
    """The Edge shard under the data dir, or the server collection when ``qdrant_url`` is set."""
    if check_model:
        with database.transaction() as session:
            check_or_record(session, model=encoder.name, dim=encoder.dim)
    if not settings.qdrant_url:
        return EdgeIndex(settings.index_dir, dim=encoder.dim)
    from qdrant_client import QdrantClient

    from kb.index.server import ServerIndex

    with warnings.catch_warnings():
        # The client warns (instead of failing) when the server's version cannot be read; the
        # first real call raises, and ServerIndex turns that into IndexUnavailable.
        warnings.simplefilter("ignore")
        client = QdrantClient(
            url=settings.qdrant_url, api_key=settings.qdrant_api_key or None, timeout=30
        )
    return ServerIndex(
        client,
        settings.qdrant_collection,
        dim=encoder.dim,
        shards=settings.qdrant_shards,
        replicas=settings.qdrant_replicas,
    )
