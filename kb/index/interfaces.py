"""What every index backend offers, and the records that cross its boundary."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

DENSE = "dense"
SPARSE = "bm25"
# Every hit carries these payload fields, whatever else a search asks for.
IDENTITY_FIELDS = ("chunk_id", "doc_id", "version")
# Payload fields searches filter on; every backend creates an index for each.
KEYWORD_FIELDS = ("doc_id", "source", "visibility", "audience", "product", "language")
INTEGER_FIELDS = ("version",)


@dataclass(frozen=True)
class SparseVector:
    indices: Sequence[int]
    values: Sequence[float]


@dataclass(frozen=True)
class ChunkPoint:
    """One chunk ready for the index: redacted text, payload and both vectors."""

    chunk_id: str  # "<doc_id>:<version>:<position>", stable
    doc_id: str
    version: int
    payload: Mapping[str, Any]
    dense: Sequence[float]
    sparse: SparseVector

    @property
    def point_id(self) -> str:
        return point_id(self.chunk_id)


def point_id(chunk_id: str) -> str:
    """Qdrant ids are UUIDs or integers; derive a stable UUID from the readable chunk id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"tandem:{chunk_id}"))


@dataclass(frozen=True)
class IndexFilter:
    """Payload conditions: each field's value must be one of the listed values."""

    any_of: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not self.any_of


@dataclass(frozen=True)
class ScoredChunk:
    chunk_id: str
    doc_id: str
    version: int
    score: float
    payload: Mapping[str, Any]


class VectorIndex(Protocol):
    """A hybrid (dense + BM25) chunk index; implementations: Edge (embedded) and server."""

    backend: str

    def upsert(self, points: Sequence[ChunkPoint]) -> None: ...

    def delete_document(self, doc_id: str, *, keep_version: int | None = None) -> None:
        """Remove a document's points, all of them or all but ``keep_version``'s."""

    def search(
        self,
        dense: Sequence[float] | None,
        sparse: SparseVector | None,
        *,
        limit: int,
        where: IndexFilter | None = None,
        fields: Sequence[str] | None = None,
    ) -> tuple[list[ScoredChunk], list[ScoredChunk]]:
        """Dense hits and sparse hits (each best first), so callers can fuse them as they like.
        ``fields``: the payload fields each hit carries besides ``chunk_id``, ``doc_id`` and
        ``version`` (None: the whole payload, chunk text included)."""

    def payloads(self, chunk_ids: Sequence[str]) -> dict[str, Mapping[str, Any]]:
        """The whole payload of each of ``chunk_ids`` the index holds, by chunk id."""

    def count(self, where: IndexFilter | None = None) -> int: ...

    def chunk_ids(self, doc_id: str) -> list[str]: ...

    def optimize(self) -> None: ...

    def reset(self) -> None:
        """Drop every point and recreate the empty index (for ``tandem index rebuild``)."""

    def close(self) -> None: ...
