"""The Qdrant-server backend when the server is not there: a clear IndexUnavailable, not a crash."""

from __future__ import annotations

import socket

import pytest
from qdrant_client import QdrantClient

from kb.errors import IndexUnavailable
from kb.index.interfaces import ChunkPoint, IndexFilter, SparseVector
from kb.index.server import ServerIndex


def unreachable_client() -> QdrantClient:
    """A client of a server that is not running: a loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return QdrantClient(url=f"http://127.0.0.1:{port}", timeout=2)


@pytest.fixture
def index_whose_server_went_away() -> ServerIndex:
    index = ServerIndex(QdrantClient(location=":memory:"), "tandem_chunks", dim=4)
    index.client = unreachable_client()  # the server stops after start-up
    return index


def test_it_refuses_to_start_without_its_server() -> None:
    with pytest.raises(IndexUnavailable, match="Qdrant server is unavailable"):
        ServerIndex(unreachable_client(), "tandem_chunks", dim=4)


def test_a_search_without_the_server_is_index_unavailable(
    index_whose_server_went_away: ServerIndex,
) -> None:
    with pytest.raises(IndexUnavailable):
        index_whose_server_went_away.search([0.1, 0.2, 0.3, 0.4], SparseVector([1], [1.0]), limit=5)


def test_writes_and_counts_without_the_server_are_index_unavailable(
    index_whose_server_went_away: ServerIndex,
) -> None:
    point = ChunkPoint(
        chunk_id="doc:1:0",
        doc_id="doc",
        version=1,
        dense=[0.1, 0.2, 0.3, 0.4],
        sparse=SparseVector([1], [1.0]),
        payload={"title": "A page"},
    )
    index = index_whose_server_went_away
    with pytest.raises(IndexUnavailable):
        index.upsert([point])
    with pytest.raises(IndexUnavailable):
        index.delete_document("doc")
    with pytest.raises(IndexUnavailable):
        index.count(IndexFilter({"doc_id": ["doc"]}))
    with pytest.raises(IndexUnavailable):
        index.chunk_ids("doc")
