"""Tuning the fusion weights on an index the retrieval benchmark built (not run by `make bench`).

Run ``.venv/bin/python -m tests.benchmarks.bench_retrieval --work DIR`` once (it ingests the AWS
help center into ``DIR/var``), stop nothing else (this opens the Edge shard, so no server may
hold it), then ``.venv/bin/python -m tests.benchmarks.tune_retrieval DIR``. It asks the index
once per question, at the deepest candidate depth, then scores every ``Fusion`` of a small grid
in-process: the best on the even-numbered questions is reported with its figures on the odd
ones, which it never saw, with how many of those it moved up and down against the defaults.
The defaults in ``retrieval.fusion`` came from this. ``--probes`` also measures document-level
signals on top of the defaults (``tests/benchmarks/retrieval_probes.py``).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from kb.database import Database
from kb.index.edge import EdgeIndex
from kb.index.encoders import WordLlamaEncoder
from kb.redaction import Redactor
from retrieval.fusion import Fusion
from retrieval.search import Candidates, HybridSearch
from tests.benchmarks import retrieval_probes
from tests.benchmarks.bench_retrieval import DATA, Question, Scores, load_questions, rank_of

DEPTH = 200


def grid() -> Iterator[Fusion]:
    for candidates, sparse, support, support_chunks, title in itertools.product(
        (50, 100, 200),
        (1.0, 0.9, 0.8, 0.7),
        (0.0, 0.05, 0.1, 0.2),
        (1, 2, 3),
        (0.0, 0.05, 0.1, 0.2),
    ):
        if support or support_chunks == 1:
            yield Fusion(candidates, sparse, round(1 - sparse, 2), support, support_chunks, title)


def trimmed(found: Candidates, depth: int) -> Candidates:
    """What the index would have answered had it been asked for ``depth`` chunks."""
    return Candidates(found.query, found.dense[:depth], found.sparse[:depth])


def ranks(
    search: HybridSearch,
    found: Sequence[Candidates | None],
    questions: Sequence[Question],
    f: Fusion,
) -> Scores:
    paths = []
    for candidates in found:
        documents = search.rank(trimmed(candidates, f.candidates), f) if candidates else []
        paths.append([str(d.chunks[0].hit.payload.get("path", "")) for d in documents[:10]])
    return Scores([rank_of(q.path, p) for q, p in zip(questions, paths, strict=True)])


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("work", type=Path, help="the --work folder of bench_retrieval")
    parser.add_argument("--probes", action="store_true", help="measure document-level signals")
    args = parser.parse_args(argv)
    var = args.work / "var"
    database = Database(f"sqlite:///{var / 'tandem.db'}")
    index = EdgeIndex(var / "qdrant", dim=WordLlamaEncoder.dim)
    redactor = Redactor.from_policy()
    search = HybridSearch(
        database, index, WordLlamaEncoder(), redact=lambda text: redactor.redact(text).text
    )
    questions = load_questions(DATA / "questions.csv")
    try:
        found = [search.candidates(q.text, limit=DEPTH) for q in questions]
    finally:
        index.close()
    results = [(f, ranks(search, found, questions, f)) for f in grid()]

    def goal(scores: Scores) -> float:
        return scores.recall(5) + scores.mrr

    best, scores = max(results, key=lambda item: goal(item[1].half(0)))
    default = ranks(search, found, questions, Fusion())
    print(f"best on the even rows: {best}")
    print("| fusion | R@1 | R@5 | R@10 | MRR |\n| --- | ---: | ---: | ---: | ---: |")
    print(scores.half(0).row("best, even rows (tuned on)"))
    up, down = default.half(1).moved(scores.half(1))
    print(scores.half(1).row(f"best, odd rows (held out: {up} up, {down} down)"))
    print(default.half(0).row("defaults, even rows"))
    print(default.half(1).row("defaults, odd rows"))
    print(default.row("defaults, all 100"))
    if args.probes:
        print("\n| defaults + probe | R@1 | R@5 | R@10 | MRR |")
        print("| --- | ---: | ---: | ---: | ---: |")
        depth = Fusion().candidates
        print("\n".join(retrieval_probes.run(search, found, questions, database, depth=depth)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
