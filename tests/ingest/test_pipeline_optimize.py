"""A large ingest builds the index's search graph itself; a small one leaves it alone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ingest import pipeline as pipeline_module
from ingest.pipeline import IngestPipeline
from kb.index.interfaces import VectorIndex


class CountingOptimize:
    """The real index, counting the optimize calls made on it."""

    def __init__(self, index: VectorIndex) -> None:
        self.index = index
        self.calls = 0
        self.real = index.optimize

    def __call__(self) -> None:
        self.calls += 1
        self.real()


@pytest.fixture
def optimize_calls(pipeline: IngestPipeline, monkeypatch: pytest.MonkeyPatch) -> CountingOptimize:
    counter = CountingOptimize(pipeline.index)
    monkeypatch.setattr(pipeline.index, "optimize", counter)
    return counter


def write_articles(write_doc: Callable[..., Path], count: int) -> Path:
    root = None
    for n in range(count):
        root = write_doc(f"a{n}", f"# Article {n}\n\nPayouts arrive on day {n} of the month.\n")
    assert root is not None
    return root


def test_an_ingest_that_writes_many_chunks_optimizes_the_index(
    pipeline: IngestPipeline,
    write_doc: Callable[..., Path],
    optimize_calls: CountingOptimize,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pipeline_module, "OPTIMIZE_AFTER", 3)
    report = pipeline.ingest(write_articles(write_doc, 3), actor="test")
    assert report.chunks == 3
    assert optimize_calls.calls == 1
    assert "optimize_seconds" in report.to_json()


def test_a_small_or_unchanged_ingest_does_not_optimize(
    pipeline: IngestPipeline,
    write_doc: Callable[..., Path],
    optimize_calls: CountingOptimize,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pipeline_module, "OPTIMIZE_AFTER", 3)
    root = write_articles(write_doc, 2)
    pipeline.ingest(root, actor="test")
    write_articles(write_doc, 3)
    pipeline.ingest(root, actor="test")  # only the third article is new
    pipeline.ingest(root, actor="test")  # nothing changed
    assert optimize_calls.calls == 0
    assert pipeline.ingest(root, actor="test").optimize_seconds == 0.0


def test_a_rebuild_always_optimizes(
    pipeline: IngestPipeline, write_doc: Callable[..., Path], optimize_calls: CountingOptimize
) -> None:
    pipeline.ingest(write_articles(write_doc, 2), actor="test")
    assert optimize_calls.calls == 0
    assert pipeline.rebuild() == 2
    assert optimize_calls.calls == 1
