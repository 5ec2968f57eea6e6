"""Hybrid search over the index: dense + BM25, fused, restricted to live document versions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kb.database import Database
from kb.documents import DocumentStore
from kb.index.encoders import Bm25Encoder, DenseEncoder
from kb.index.interfaces import IndexFilter, ScoredChunk, VectorIndex

# Each list is min-max normalised, then mixed; BM25 carries more weight because on help-center
# questions exact terms (product names, settings) matter more than paraphrase.
SPARSE_WEIGHT = 0.7
DENSE_WEIGHT = 0.3
CANDIDATES = 50


@dataclass(frozen=True)
class SearchHit:
    chunk_id: str
    doc_id: str
    version: int
    score: float
    payload: Mapping[str, Any]

    @property
    def title(self) -> str:
        return str(self.payload.get("title", ""))


class HybridSearch:
    """Searches the index and drops hits from versions that are not live (mid-update, removed)."""

    def __init__(self, database: Database, index: VectorIndex, encoder: DenseEncoder) -> None:
        self.database = database
        self.index = index
        self.encoder = encoder
        self.bm25 = Bm25Encoder()

    def search(
        self, query: str, *, k: int = 10, filters: Mapping[str, Sequence[str]] | None = None
    ) -> list[SearchHit]:
        dense = self.encoder.encode([query])[0]
        sparse = self.bm25.query(query)
        where = IndexFilter(dict(filters or {}))
        dense_hits, sparse_hits = self.index.search(
            dense.tolist() if dense.any() else None, sparse, limit=max(CANDIDATES, k), where=where
        )
        fused = _fuse(dense_hits, sparse_hits)
        with self.database.transaction() as session:
            live = DocumentStore(session).live_versions(sorted({h.doc_id for h in fused}))
        hits = [h for h in fused if live.get(h.doc_id) == h.version]
        return hits[:k]


def _normalised(hits: list[ScoredChunk]) -> dict[str, tuple[float, ScoredChunk]]:
    if not hits:
        return {}
    top, bottom = max(h.score for h in hits), min(h.score for h in hits)
    span = top - bottom
    return {h.chunk_id: ((h.score - bottom) / span if span > 0 else 1.0, h) for h in hits}


def _fuse(dense: list[ScoredChunk], sparse: list[ScoredChunk]) -> list[SearchHit]:
    d, s = _normalised(dense), _normalised(sparse)
    scored: list[SearchHit] = []
    for chunk_id in d.keys() | s.keys():
        chunk = (s.get(chunk_id) or d[chunk_id])[1]
        score = DENSE_WEIGHT * d.get(chunk_id, (0.0, chunk))[0]
        score += SPARSE_WEIGHT * s.get(chunk_id, (0.0, chunk))[0]
        scored.append(SearchHit(chunk.chunk_id, chunk.doc_id, chunk.version, score, chunk.payload))
    scored.sort(key=lambda h: (-h.score, h.chunk_id))
    return scored
