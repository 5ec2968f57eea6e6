"""Document-level signals measured on top of the fusion: ``tune_retrieval DIR --probes``.

Each probe scores every live page of the benchmark's index for a question and adds
``weight × its scaled score`` to the documents the default fusion ranked (so it reorders what the
chunk searches found, as a reranking stage over the index would). The weight is chosen on the
even rows and the probe is reported on the odd ones, with how many held-out questions it moved
up and down. None of them is in ``retrieval.fusion``: on the AWS help center none raised more
held-out questions than it lowered (README, *Retrieval*), which does not pay for an extra point
per document in the index.

The probes compute what Qdrant would, in-process: BM25 document weights from ``qdrant_edge.Bm25``
and IDF over the pages as the IDF modifier does (``ln(1 + (N - n + 0.5) / (n + 0.5))``), and
WordLlama cosines.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import qdrant_edge

from ingest.plain import plain_text
from kb.database import Database
from kb.documents import ACTIVE, LIVE, DocumentStore
from kb.index.encoders import DenseEncoder
from retrieval.fusion import Fusion, RankedDocument
from retrieval.search import Candidates, HybridSearch
from tests.benchmarks.bench_retrieval import Question, Scores, rank_of

Vector = npt.NDArray[np.float64]
Scorer = Callable[[str], Vector]  # query text → a score per page
DEPTH = 100  # pages a probe contributes, as an index query for page points would return
WEIGHTS = (0.1, 0.2, 0.3, 0.5)
DENSE_CHARS = 20_000  # WordLlama averages token vectors: the start of a long page says enough


@dataclass(frozen=True)
class Page:
    doc_id: str
    title: str
    body: str
    headings: tuple[str, ...]  # each chunk's innermost heading, in order, once each

    def text(self) -> str:
        return plain_text(f"{self.title}\n{self.body}")

    def card(self) -> str:
        return plain_text("\n".join((self.title, *self.headings)))


def live_pages(database: Database) -> list[Page]:
    pages = []
    with database.transaction() as session:
        for version in DocumentStore(session).versions_with_status(LIVE):
            if version.document.state != ACTIVE:
                continue
            chunks = sorted(version.chunks, key=lambda c: c.position)
            headings = dict.fromkeys(c.heading.rsplit(" > ", 1)[-1] for c in chunks)
            pages.append(
                Page(version.document.doc_id, version.title, version.body, tuple(headings))
            )
    return sorted(pages, key=lambda p: p.doc_id)


class PageBm25:
    """Qdrant's BM25 over one text per page, with the IDF taken over the pages."""

    def __init__(self, texts: Sequence[str], *, avg_len: float) -> None:
        self._bm25 = qdrant_edge.Bm25(qdrant_edge.Bm25Config(avg_len=avg_len))
        postings: dict[int, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for row, text in enumerate(texts):
            vector = self._bm25.embed_document(text)
            for term, weight in zip(vector.indices, vector.values, strict=True):
                postings[term][0].append(row)
                postings[term][1].append(weight)
        self._size = len(texts)
        self._postings = {t: (np.array(rows), np.array(ws)) for t, (rows, ws) in postings.items()}

    def __call__(self, query: str) -> Vector:
        scores = np.zeros(self._size)
        for term in set(self._bm25.embed_query(query).indices):
            if term in self._postings:
                rows, weights = self._postings[term]
                idf = math.log(1 + (self._size - len(rows) + 0.5) / (len(rows) + 0.5))
                scores[rows] += idf * weights
        return scores


def dense_scorer(encoder: DenseEncoder, texts: Sequence[str]) -> Scorer:
    pages = encoder.encode([text[:DENSE_CHARS] for text in texts]).astype(np.float64)

    def cosines(query: str) -> Vector:
        found: Vector = pages @ encoder.encode([query])[0].astype(np.float64)
        return found

    return cosines


def probes(pages: Sequence[Page], encoder: DenseEncoder) -> dict[str, tuple[Scorer, bool]]:
    """Each probe by name: its scorer, and whether it is a cosine (min-max scaled)."""
    texts = [p.text() for p in pages]
    cards = [p.card() for p in pages]
    return {
        "page BM25 (title + body, IDF over pages)": (PageBm25(texts, avg_len=1000.0), False),
        "heading card BM25 (title + headings)": (PageBm25(cards, avg_len=16.0), False),
        "page dense (WordLlama, title + body)": (dense_scorer(encoder, texts), True),
    }


def scaled_top(scores: Vector, doc_ids: Sequence[str], *, cosine: bool) -> dict[str, float]:
    """The best ``DEPTH`` pages scaled as ``retrieval.fusion`` scales each list."""
    top = [i for i in np.argsort(-scores)[:DEPTH] if cosine or scores[i] > 0]
    if not top:
        return {}
    best, worst = float(scores[top[0]]), float(scores[top[-1]])
    if cosine:
        span = best - worst
        return {doc_ids[i]: (float(scores[i]) - worst) / span if span else 1.0 for i in top}
    return {doc_ids[i]: float(scores[i]) / best for i in top}


def reranked(
    documents: Sequence[RankedDocument], extra: dict[str, float], weight: float
) -> list[str]:
    """The documents' paths, best first, after adding ``weight × extra``."""
    scored = sorted(
        documents, key=lambda d: (-(d.score + weight * extra.get(d.doc_id, 0.0)), d.doc_id)
    )
    return [str(d.chunks[0].hit.payload.get("path", "")) for d in scored[:10]]


def scored(questions: Sequence[Question], paths: Sequence[Sequence[str]]) -> Scores:
    return Scores([rank_of(q.path, p) for q, p in zip(questions, paths, strict=True)])


def run(
    search: HybridSearch,
    found: Sequence[Candidates | None],
    questions: Sequence[Question],
    database: Database,
    *,
    depth: int,
) -> list[str]:
    """Markdown rows: each probe at its best weight on the even rows, both halves reported."""
    pages = live_pages(database)
    doc_ids = [p.doc_id for p in pages]
    queries = [search.searchable(q.text) for q in questions]
    fusion = Fusion()
    ranked = [
        search.rank(Candidates(c.query, c.dense[:depth], c.sparse[:depth]), fusion) if c else []
        for c in found
    ]
    before = scored(questions, [reranked(documents, {}, 0.0) for documents in ranked])
    rows = [before.half(0).row("defaults, even rows"), before.half(1).row("defaults, odd rows")]
    for name, (scorer, cosine) in probes(pages, search.encoder).items():
        extras = [scaled_top(scorer(text), doc_ids, cosine=cosine) for text in queries]
        pairs = list(zip(ranked, extras, strict=True))
        tried = [
            (weight, scored(questions, [reranked(d, e, weight) for d, e in pairs]))
            for weight in WEIGHTS
        ]
        weight, scores = max(tried, key=lambda t: t[1].half(0).recall(5) + t[1].half(0).mrr)
        up, down = before.half(1).moved(scores.half(1))
        rows.append(scores.half(0).row(f"+ {weight} × {name}, even rows (tuned on)"))
        rows.append(
            scores.half(1).row(f"+ {weight} × {name}, odd rows (held out: {up} up, {down} down)")
        )
    return rows
