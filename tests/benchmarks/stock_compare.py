"""The stock side of the draft latency benchmark: both stock pipelines timed, and their report.

Two rows, so the reader sees the cheapest stock configuration and the like-for-like one:

- dense-only, unfiltered (``stock_pipeline.open_stock``), on the first ``stock_questions``;
- hybrid + filtered (``stock_hybrid.open_hybrid``), on every ``every``-th question (0, 4, 8, …
  by default): local mode evaluates the filter and scores BM25 in Python, point by point, so a
  query over 207k chunks takes seconds and all 100 would take half an hour.

Each ratio divides a stock percentile by Tandem's HTTP round-trip percentile over the same
questions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.benchmarks.bench_retrieval import Question
from tests.benchmarks.draft_latency import DraftTimings, Latencies, StockTimings, time_stock
from tests.benchmarks.stock_hybrid import DRAFT_FILTERS

HYBRID_EVERY = 4


@dataclass
class StockRun:
    dense: StockTimings
    hybrid: StockTimings
    every: int  # the hybrid pipeline answered questions 0, every, 2 * every, …

    def tandem(self, drafts: DraftTimings, *, hybrid: bool) -> Latencies:
        """Tandem's round trips for the questions the stock row answered."""
        seconds = drafts.round_trip.seconds
        return Latencies(seconds[:: self.every] if hybrid else seconds[: self.dense.questions])


def time_stocks(
    work: Path,
    database_url: str,
    questions: Sequence[Question],
    *,
    stock_questions: int,
    every: int = HYBRID_EVERY,
) -> StockRun:
    return StockRun(
        _timed(work, "stock", database_url, questions[:stock_questions], hybrid=False),
        _timed(work, "stock-hybrid", database_url, questions[::every], hybrid=True),
        every,
    )


def _timed(
    work: Path, name: str, database_url: str, questions: Sequence[Question], *, hybrid: bool
) -> StockTimings:
    """The pipeline in ``<name>-qdrant``; its build seconds are kept in ``<name>-build.json``,
    so a run that reuses the collection reports what building it took."""
    stock = time_stock(work / f"{name}-qdrant", database_url, questions, hybrid=hybrid)
    built = work / f"{name}-build.json"
    if stock.build_seconds:
        built.write_text(json.dumps({"build_seconds": stock.build_seconds}), "utf-8")
    elif built.exists():
        stock.build_seconds = float(json.loads(built.read_text("utf-8"))["build_seconds"])
    return stock


def table_rows(run: StockRun, drafts: DraftTimings) -> list[str]:
    subset = run.tandem(drafts, hybrid=True)
    return [
        f"| stock llama-index dense-only, unfiltered (local mode), in-process | "
        f"{run.dense.answer.cells} |",
        f"| stock llama-index hybrid + filtered (local mode), in-process, questions "
        f"{_stride(run.every)} | {run.hybrid.answer.cells} |",
        f"| Tandem HTTP round trip, the same {run.hybrid.questions} questions | {subset.cells} |",
    ]


def ratios(run: StockRun, drafts: DraftTimings) -> str:
    """The stock rows over Tandem's round trip, each on its own questions."""
    parts = []
    for label, stock, hybrid in (
        ("dense-only", run.dense, False),
        ("hybrid + filtered", run.hybrid, True),
    ):
        tandem = run.tandem(drafts, hybrid=hybrid)
        parts.append(
            f"{label} {stock.answer.ms(0.5) / tandem.ms(0.5):.0f}× at p50, "
            f"{stock.answer.ms(0.95) / tandem.ms(0.95):.0f}× at p95 "
            f"({stock.questions} questions)"
        )
    return (
        f"Stock over Tandem's HTTP round trip on the same questions: {'; '.join(parts)}; all "
        f"{run.dense.points:,} chunks; goal p95 ≤ 50 ms and ≥ 20×."
    )


def description(run: StockRun) -> str:
    filters = ", ".join(f"{key} ∈ {list(values)}" for key, values in DRAFT_FILTERS.items())
    return (
        "The stock pipelines: `VectorStoreIndex` over `QdrantVectorStore` on qdrant-client's "
        "local mode (a folder on disk), over the same chunks read from Tandem's SQL chunks "
        "table, plus a minimal extractive answer (the retrieved sentence sharing most words "
        "with the question); no LLM on either side. *Dense-only* is the cheapest stock "
        "configuration: the WordLlama model as a llama-index `BaseEmbedding`, no filter, "
        "`as_retriever(similarity_top_k=8)`. *Hybrid + filtered* is like for like: Tandem's "
        "exact dense and BM25 vectors (`enable_hybrid=True`, `sparse_doc_fn`/`sparse_query_fn` "
        "from Tandem's `Bm25Encoder`, the sparse vector with the IDF modifier), "
        '`vector_store_query_mode="hybrid"` with Tandem\'s 50 candidates per list, 8 kept, '
        "dense weight 0.2 (`alpha`), and the filter every draft request of this benchmark "
        f"carries on both sides ({filters}; every chunk passes it) as `MetadataFilters`. Only "
        "fusion differs (llama-index: min-max both lists, best chunks; Tandem: documents, "
        "title boost, one chunk per page). Local mode checks the filter and scores BM25 in "
        "Python for every point, hence seconds a query and the subset of questions. Both are "
        "timed in-process and do less per question than Tandem (no HTTP, redaction, detection, "
        "style check or storage), so the ratios favour them. Building the collections "
        f"(embedding and upserting every chunk) took {run.dense.build_seconds / 60:.0f} min "
        f"(dense-only) and {run.hybrid.build_seconds / 60:.0f} min (hybrid); a re-run reuses "
        "them."
    )


def _stride(every: int) -> str:
    return "0–99" if every == 1 else f"0, {every}, {2 * every}, …"
