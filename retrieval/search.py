"""Hybrid search over the index: the query redacted, dense + BM25, fused to documents, filtered.

``HybridSearch.search(query, k=10, filters=...)`` returns chunks (so drafting can cite them),
best document first; how hits are weighed and how many chunks a document may show is
``retrieval.fusion``'s.
Only live document versions are returned: a hit from a version that is mid-update or removed
is dropped before fusion, so it cannot push a live chunk down either.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ingest.plain import plain_text
from kb.database import Database
from kb.documents import DocumentStore
from kb.errors import InvalidInput
from kb.index.encoders import Bm25Encoder, DenseEncoder
from kb.index.interfaces import IndexFilter, ScoredChunk, SparseVector, VectorIndex
from kb.pii_placeholders import PLACEHOLDER
from retrieval.fusion import (
    Fusion,
    RankedDocument,
    fuse_chunks,
    rank_documents,
    select_chunks,
)

# Payload fields a search may be restricted to (each is indexed by both backends).
FILTER_FIELDS = ("audience", "product", "language", "visibility", "source", "doc_id")
MAX_K = 50
# Payload fields a result shows besides its ids and scores.
RESULT_FIELDS = ("title", "url", "path", "heading", "text", "visibility")
# What ranking reads of each candidate (the title; the path, for the tuning scripts): the rest
# of a payload, mostly the chunk's text, is fetched for the chunks picked only.
CANDIDATE_FIELDS = ("title", "path")
TITLE_CACHE = 8192  # titles whose BM25 terms are kept: popular pages recur across tickets

Redact = Callable[[str], str]


@dataclass(frozen=True)
class SearchHit:
    """One chunk in the results: ``score`` ranks its document, ``chunk_score`` the chunk."""

    chunk_id: str
    doc_id: str
    version: int
    score: float
    chunk_score: float
    payload: Mapping[str, Any]

    @property
    def title(self) -> str:
        return str(self.payload.get("title", ""))

    def field(self, name: str) -> str:
        return str(self.payload.get(name) or "")

    def as_result(self) -> dict[str, Any]:
        """What the API and ``tandem search --json`` show of a hit."""
        return {
            "doc_id": self.doc_id,
            "chunk_id": self.chunk_id,
            "score": round(self.score, 4),
            "chunk_score": round(self.chunk_score, 4),
            **{name: self.field(name) for name in RESULT_FIELDS},
            # Titles and headings are labels: shown without Markdown escapes and anchors.
            "title": plain_text(self.title),
            "heading": plain_text(self.field("heading")),
        }


@dataclass(frozen=True)
class Candidates:
    """What the index found for a query: the input of fusion."""

    query: SparseVector  # the BM25 query, for matching titles
    dense: list[ScoredChunk]
    sparse: list[ScoredChunk]


class HybridSearch:
    """Searches the index for a query, as the ticket's redacted text, within filters."""

    def __init__(
        self,
        database: Database,
        index: VectorIndex,
        encoder: DenseEncoder,
        *,
        redact: Redact | None = None,
        fusion: Fusion | None = None,
    ) -> None:
        self.database = database
        self.index = index
        self.encoder = encoder
        self.redact = redact
        self.fusion = fusion or Fusion()
        self.bm25 = Bm25Encoder()
        self._title_terms = functools.lru_cache(maxsize=TITLE_CACHE)(self._terms_of_title)

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        filters: Mapping[str, Sequence[str]] | None = None,
        redacted: bool = False,
    ) -> list[SearchHit]:
        """Up to ``k`` chunks, the best documents' first; raises InvalidInput for bad filters.
        ``redacted``: the caller already redacted ``query`` (drafting does), so it is not again."""
        where = index_filter(filters)
        if not 1 <= k <= MAX_K:
            raise InvalidInput("k is out of range.", {"k": [f"Use 1 to {MAX_K}."]})
        found = self.candidates(
            query, limit=max(self.fusion.candidates, k), where=where, redacted=redacted
        )
        if found is None:
            return []
        documents = self.rank(found, self.fusion)
        picked = select_chunks(documents, k=k, per_doc=self.fusion.per_doc, close=self.fusion.close)
        payloads = self.index.payloads([chunk.hit.chunk_id for _, chunk in picked])
        return [
            SearchHit(
                chunk.hit.chunk_id,
                chunk.hit.doc_id,
                chunk.hit.version,
                doc.score,
                chunk.score,
                payloads[chunk.hit.chunk_id],
            )
            for doc, chunk in picked
            # A chunk removed since the query (its document re-ingested meanwhile) is not shown.
            if chunk.hit.chunk_id in payloads
        ]

    def candidates(
        self,
        query: str,
        *,
        limit: int,
        where: IndexFilter | None = None,
        redacted: bool = False,
    ) -> Candidates | None:
        """The index's hits for the redacted query, live versions only (None: nothing to ask)."""
        text = self.searchable(query, redacted=redacted)
        if not text:
            return None
        dense = self.encoder.encode([text])[0]
        sparse = self.bm25.query(text)
        dense_hits, sparse_hits = self.index.search(
            dense.tolist() if dense.any() else None,
            sparse,
            limit=limit,
            where=where,
            fields=CANDIDATE_FIELDS,
        )
        doc_ids = sorted({h.doc_id for h in dense_hits} | {h.doc_id for h in sparse_hits})
        with self.database.sessions() as session:  # a read: no write lock
            live = DocumentStore(session).live_versions(doc_ids)
        return Candidates(
            sparse,
            [h for h in dense_hits if live.get(h.doc_id) == h.version],
            [h for h in sparse_hits if live.get(h.doc_id) == h.version],
        )

    def rank(self, found: Candidates, fusion: Fusion) -> list[RankedDocument]:
        """The candidates' documents, best first, as ``fusion`` weighs them."""
        fused = fuse_chunks(found.dense, found.sparse, fusion)
        return rank_documents(fused, fusion, title_match=self.title_match(found.query))

    def searchable(self, query: str, *, redacted: bool = False) -> str:
        """The text actually embedded and matched: redacted, placeholders dropped."""
        if not redacted and self.redact is not None:
            query = self.redact(query)
        # A placeholder (<PERSON_1>) says only that something was removed; matching it would
        # find every page where something else was removed.
        return " ".join(PLACEHOLDER.sub(" ", query).split())

    def title_match(self, query: SparseVector) -> Callable[[str], float]:
        """The share of the query's (stemmed, stop-word-free) terms that a title contains."""
        terms = set(query.indices)

        def share(title: str) -> float:
            if not terms:
                return 0.0
            found = terms & self._title_terms(title)
            return len(found) / len(terms)

        return share

    def _terms_of_title(self, title: str) -> frozenset[int]:
        return frozenset(self.bm25.document(plain_text(title)).indices)


def index_filter(filters: Mapping[str, Sequence[str]] | None) -> IndexFilter:
    """The filters as an index condition; unknown fields and empty value lists are refused,
    with one message per field (``filters.<field>``)."""
    errors: dict[str, list[str]] = {}
    for name, values in (filters or {}).items():
        if name not in FILTER_FIELDS:
            errors[f"filters.{name}"] = [
                f"Unknown filter field; use one of: {', '.join(FILTER_FIELDS)}."
            ]
        elif not values:
            errors[f"filters.{name}"] = ["List at least one allowed value."]
    if errors:
        raise InvalidInput("The search filters are invalid.", errors)
    return IndexFilter({name: list(values) for name, values in (filters or {}).items()})
