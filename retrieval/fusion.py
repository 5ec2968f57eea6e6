"""Fusion: dense and BM25 chunk hits become ranked documents, each with its best chunks.

Pure functions over the index's hits, so the service and the tuning script share them:

1. ``fuse_chunks``: each list's scores are scaled to [0, 1] (BM25 by its best hit, cosine min-max
   over the candidates) and mixed with ``Fusion.sparse``/``Fusion.dense``. Scores, not ranks: RRF
   throws away how far ahead the best BM25 hit is, and on help-center questions that margin (an
   exact product or setting name) is the strongest evidence there is.
2. ``rank_documents``: a document scores its best chunk, plus a share of its next best chunks
   (a page that answers in several places is a better page), plus a bonus for the share of the
   query's terms that its title contains.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from kb.index.interfaces import ScoredChunk


@dataclass(frozen=True)
class Fusion:
    """How hits are weighed; the defaults are tuned on the AWS help-center questions (see
    ``docs/benchmarks.md``) and are deliberately few and round, to stay general."""

    candidates: int = 50  # chunks asked of each list (dense, BM25)
    sparse: float = 0.8
    dense: float = 0.2
    support: float = 0.05  # weight of each further matching chunk of a document
    support_chunks: int = 3  # how many further chunks count
    title: float = 0.1  # weight of the share of query terms found in the title
    # Chunks a document may show in the results: one by default, so a top 10 names ten pages
    # (what evaluation and the agent UI want); drafting may ask for more passages of a page,
    # the further ones only when they score ``close`` to the page's best.
    per_doc: int = 1
    close: float = 0.8


@dataclass(frozen=True)
class FusedChunk:
    hit: ScoredChunk
    score: float


@dataclass
class RankedDocument:
    doc_id: str
    score: float
    chunks: list[FusedChunk] = field(default_factory=list)  # best first

    @property
    def title(self) -> str:
        return str(self.chunks[0].hit.payload.get("title", "")) if self.chunks else ""


def fuse_chunks(
    dense: Sequence[ScoredChunk], sparse: Sequence[ScoredChunk], fusion: Fusion
) -> list[FusedChunk]:
    """Every chunk either list found, with its mixed score, best first."""
    scores: dict[str, float] = {}
    hits: dict[str, ScoredChunk] = {}
    for weight, scaled in (
        (fusion.sparse, _scaled_by_best(sparse)),
        (fusion.dense, _min_max(dense)),
    ):
        for hit, value in scaled:
            scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + weight * value
            hits.setdefault(hit.chunk_id, hit)
    fused = [FusedChunk(hits[chunk_id], score) for chunk_id, score in scores.items()]
    fused.sort(key=lambda c: (-c.score, c.hit.chunk_id))
    return fused


def rank_documents(
    chunks: Iterable[FusedChunk],
    fusion: Fusion,
    *,
    title_match: Callable[[str], float] | None = None,
) -> list[RankedDocument]:
    """Documents best first; ``title_match(title)`` is the share (0..1) of the query in it."""
    documents: dict[str, RankedDocument] = {}
    for chunk in chunks:  # best first, so each document's list stays sorted
        doc = documents.setdefault(chunk.hit.doc_id, RankedDocument(chunk.hit.doc_id, 0.0))
        doc.chunks.append(chunk)
    for doc in documents.values():
        further = doc.chunks[1 : 1 + fusion.support_chunks]
        doc.score = doc.chunks[0].score + fusion.support * sum(c.score for c in further)
        if title_match is not None and fusion.title:
            doc.score += fusion.title * title_match(doc.title)
    return sorted(documents.values(), key=lambda d: (-d.score, d.doc_id))


def select_chunks(
    documents: Sequence[RankedDocument], *, k: int, per_doc: int, close: float
) -> list[tuple[RankedDocument, FusedChunk]]:
    """Up to ``k`` chunks grouped by document, best document first: each document's best chunk,
    then up to ``per_doc - 1`` more of it that score at least ``close`` times its best (a second
    passage worth citing, not the same page again at the expense of the next one)."""
    picked: list[tuple[RankedDocument, FusedChunk]] = []
    for doc in documents:
        best = doc.chunks[0].score
        strong = [c for c in doc.chunks[1:per_doc] if c.score >= close * best]
        picked.extend((doc, chunk) for chunk in (doc.chunks[0], *strong))
        if len(picked) >= k:
            break
    return picked[:k]


def _scaled_by_best(hits: Sequence[ScoredChunk]) -> list[tuple[ScoredChunk, float]]:
    # BM25 has a natural zero: dividing by the best keeps the gaps between hits meaningful.
    best = max((h.score for h in hits), default=0.0)
    return [(h, h.score / best) for h in hits] if best > 0 else []


def _min_max(hits: Sequence[ScoredChunk]) -> list[tuple[ScoredChunk, float]]:
    # Cosine similarities of unrelated texts are far from zero; only their spread means much.
    if not hits:
        return []
    top, bottom = max(h.score for h in hits), min(h.score for h in hits)
    span = top - bottom
    return [(h, (h.score - bottom) / span if span > 0 else 1.0) for h in hits]
