"""Draft latency over the full AWS corpus: Tandem's API against a stock llama-index pipeline.

Three steps over one ingested data dir (``tandem ingest`` of ``corpus-all``, ~207k chunks):

1. ``index.optimize()`` (Qdrant Edge builds its HNSW graphs), timed, with in-process search
   latency for the same questions before and after it: what the optimizer buys.
2. ``POST /api/v1/drafts`` for each question over HTTP against ``tandem serve``: round trip per
   question, and the server's own ``timings_ms``. Each request carries the filter
   ``stock_hybrid.DRAFT_FILTERS`` (every chunk of the corpus passes it).
3. The stock pipelines, in the same process run, timed per question in-process (no HTTP, no
   redaction, detection, style check or storage: they do less work than Tandem per question, so
   the ratio flatters the stock side): dense-only and unfiltered (``stock_pipeline.py``), and
   hybrid with the same vectors and filter as Tandem (``stock_hybrid.py``).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kb.index.encoders import WordLlamaEncoder
from retrieval.drafting import RETRIEVE_K
from tests.benchmarks.bench_retrieval import Question, percentile
from tests.benchmarks.draft_citations import draft_request, post_draft
from tests.benchmarks.stock_hybrid import DRAFT_FILTERS, open_hybrid
from tests.benchmarks.stock_pipeline import live_count, open_stock
from webapp import create_app
from webapp.context import tandem


@dataclass(frozen=True)
class Latencies:
    """Seconds per call."""

    seconds: Sequence[float]

    def ms(self, p: float) -> float:
        return percentile(self.seconds, p) * 1000

    @property
    def cells(self) -> str:
        return f"{self.ms(0.5):.1f} | {self.ms(0.95):.1f} | {self.ms(0.99):.1f}"


@dataclass
class Optimized:
    search_before: Latencies
    optimize_seconds: float
    search_after: Latencies


@dataclass
class DraftTimings:
    round_trip: Latencies
    server_total: Latencies
    server_steps: dict[str, float] = field(default_factory=dict)  # median ms per step
    needs_human: int = 0
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after


@dataclass
class StockTimings:
    answer: Latencies
    points: int
    build_seconds: float
    questions: int


def _timed_search(search: object, questions: Sequence[Question]) -> Latencies:
    seconds = []
    for question in questions:
        started = time.perf_counter()
        search.search(question.text, k=RETRIEVE_K)  # type: ignore[attr-defined]
        seconds.append(time.perf_counter() - started)
    return Latencies(seconds)


def optimize_index(data_dir: Path, questions: Sequence[Question]) -> Optimized:
    """Search latency in-process, ``optimize()`` timed, search latency again (the server must
    not be running: it would hold the Edge shard)."""
    app = create_app({"data_dir": str(data_dir), "log_level": "WARNING"})
    try:
        search = tandem(app).search()
        search.search(questions[0].text, k=RETRIEVE_K)  # loads the models, opens the shard
        before = _timed_search(search, questions)
        started = time.perf_counter()
        tandem(app).index().optimize()
        seconds = time.perf_counter() - started
        after = _timed_search(search, questions)
    finally:
        tandem(app).close()
    return Optimized(before, seconds, after)


def time_drafts(base: str, token: str, questions: Sequence[Question]) -> DraftTimings:
    """Each question as a ticket through the API, after one warm-up draft (the server builds
    its models and opens the index on first use)."""
    post_draft(base, token, {**draft_request(999, questions[0]), "filters": DRAFT_FILTERS})
    load_before = os.getloadavg()[0]
    seconds, totals, needs_human = [], [], 0
    steps: dict[str, list[float]] = {}
    for number, question in enumerate(questions):
        request = {**draft_request(number, question), "filters": DRAFT_FILTERS}
        draft, elapsed = post_draft(base, token, request)
        seconds.append(elapsed)
        totals.append(float(draft["timings_ms"]["total"]) / 1000)
        for name, value in draft["timings_ms"].items():
            steps.setdefault(name, []).append(float(value))
        needs_human += bool(draft["draft"]["needs_human"])
    return DraftTimings(
        Latencies(seconds),
        Latencies(totals),
        {name: statistics.median(values) for name, values in steps.items()},
        needs_human,
        (load_before, os.getloadavg()[0]),
    )


def time_stock(
    folder: Path, database_url: str, questions: Sequence[Question], *, hybrid: bool = False
) -> StockTimings:
    """The stock pipeline in ``folder``: dense-only, or ``hybrid`` + filtered (like Tandem)."""
    points = live_count(database_url)
    opener = open_hybrid if hybrid else open_stock
    stock = opener(folder, database_url, WordLlamaEncoder(), expected=points)
    try:
        stock.answer(questions[0].text, RETRIEVE_K)  # warm-up, as on Tandem's side
        seconds = []
        for question in questions:
            started = time.perf_counter()
            stock.answer(question.text, RETRIEVE_K)
            seconds.append(time.perf_counter() - started)
    finally:
        stock.close()
    return StockTimings(Latencies(seconds), stock.points, stock.build_seconds, len(questions))
