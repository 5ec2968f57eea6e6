"""Retrieval benchmark: Tandem's ``POST /api/v1/search`` against BM25 on the AWS help center.

Run ``.venv/bin/python -m tests.benchmarks.bench_retrieval``. It extracts the 14-guide help
center (``../shared/data/aws-docs``) to a temporary folder, ingests it with the real CLI
(``tandem ingest DIR --source public``: gate, PII redaction, chunking, WordLlama + BM25, Qdrant
Edge), issues a token, starts the real server (``tandem serve``, waitress) and asks it the 100
questions, scoring at document level: R@1, R@5, R@10 and MRR. In the same run it scores BM25
(``bm25s``, one document per page, English stop words) on the same pages, runs the official
scorer (``../shared/tools/aws_eval.py``) against the server, and writes the figures to
``docs/benchmarks.md`` under ``## Retrieval`` (other sections are left alone).

The fusion weights were tuned on the even-numbered questions (rows 0, 2, …); the odd-numbered
ones are the held-out half, reported separately. ``--work DIR`` keeps the corpus and the built
index there, so a second run re-ingests nothing (every page is unchanged) and only re-measures.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import bm25s

from ingest.plain import plain_text
from tests.benchmarks.report import DOCS, write_section

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data" / "aws-docs"
SCORER = REPO.parent / "shared" / "tools" / "aws_eval.py"
COMMAND = ".venv/bin/python -m tests.benchmarks.bench_retrieval"
TANDEM = str(Path(sys.executable).parent / "tandem")


@dataclass(frozen=True)
class Question:
    text: str
    guide: str
    page: str  # file name without .md

    @property
    def path(self) -> str:
        """The gold page's path relative to the ingest root (``<guide>/doc_source/<page>.md``)."""
        return f"{self.guide}/doc_source/{self.page}.md"


@dataclass(frozen=True)
class Scores:
    """Document-level ranks of the gold page (None: not in the top 10), one per question."""

    ranks: Sequence[int | None]

    def recall(self, at: int) -> float:
        return sum(r is not None and r <= at for r in self.ranks) / len(self.ranks)

    @property
    def mrr(self) -> float:
        return sum(1 / r for r in self.ranks if r is not None) / len(self.ranks)

    def half(self, parity: int) -> Scores:
        return Scores(self.ranks[parity::2])

    def moved(self, other: Scores) -> tuple[int, int]:
        """How many questions ``other`` ranks better, and how many worse, than these scores."""
        pairs = [(r or 11, o or 11) for r, o in zip(self.ranks, other.ranks, strict=True)]
        return sum(o < r for r, o in pairs), sum(o > r for r, o in pairs)

    def margin(self, at: int = 5) -> float:
        """Half the width of a 95 % interval on R@``at`` (normal approximation): differences
        smaller than this between two systems on the same questions are mostly chance."""
        p = self.recall(at)
        return 1.96 * math.sqrt(p * (1 - p) / len(self.ranks))

    def row(self, name: str) -> str:
        figures = (self.recall(1), self.recall(5), self.recall(10), self.mrr)
        return f"| {name} | " + " | ".join(f"{x:.3f}" for x in figures) + " |"


def load_questions(path: Path) -> list[Question]:
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    questions = []
    for row in rows:
        guide, page = row["Document_True"].strip().split("/")
        questions.append(Question(row["Question"].strip(), guide, page.removesuffix(".md")))
    return questions


def rank_of(gold: str, paths: Sequence[str]) -> int | None:
    """The gold path's rank among the distinct documents (first 10), as the scorer counts."""
    distinct = list(dict.fromkeys(paths))[:10]
    return distinct.index(gold) + 1 if gold in distinct else None


# --- the corpus and Tandem ---------------------------------------------------------------------


def extract(archive: Path, into: Path) -> Path:
    root = into / "documents"
    if not root.exists():
        with tarfile.open(archive) as tar:
            tar.extractall(into, filter="data")
    return root


def tandem(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [TANDEM, *args], env=env, capture_output=True, text=True, check=False, timeout=3600
    )
    if done.returncode != 0:
        raise SystemExit(f"tandem {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[str]:
    """``tandem serve`` in a subprocess (its output in ``log``) until the block ends."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        server = subprocess.Popen(
            [TANDEM, "serve", "--port", str(port)], env=env, stdout=output, stderr=output
        )
        try:
            wait_until_up(base, server, log)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=60)


def wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 300
    while server.poll() is None and time.monotonic() < deadline:
        try:
            # Our own server on the loopback address, over plain HTTP.
            urllib.request.urlopen(base + "/api/v1/health", timeout=5).close()  # noqa: S310
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not come up:\n{log.read_text()[-3000:]}")


def ask(base: str, token: str, query: str, k: int) -> tuple[dict[str, Any], float]:
    request = urllib.request.Request(  # noqa: S310 (our server, on the loopback address)
        base + "/api/v1/search",
        method="POST",
        data=json.dumps({"query": query, "k": k}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback)
        body: dict[str, Any] = json.loads(response.read())
    return body, time.perf_counter() - started


def score_api(
    base: str, token: str, questions: Sequence[Question], k: int
) -> tuple[Scores, list[float], list[float]]:
    """Ranks through the HTTP API, round-trip seconds, and the server's own ``took_ms``."""
    ranks, seconds, took = [], [], []
    for question in questions:
        body, elapsed = ask(base, token, question.text, k)
        ranks.append(rank_of(question.path, [r["path"] for r in body["results"]]))
        seconds.append(elapsed)
        took.append(float(body["took_ms"]))
    return Scores(ranks), seconds, took


def official(base: str, token: str, k: int) -> str:
    if not SCORER.exists():
        return "(the official scorer is not installed)"
    done = subprocess.run(
        [sys.executable, str(SCORER), "--base", base, "--token", token, "--k", str(k)],
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    return "\n".join(done.stdout.splitlines()[:2])


# --- the baseline ------------------------------------------------------------------------------


def bm25_baseline(root: Path, questions: Sequence[Question]) -> Scores:
    """bm25s over whole pages (Markdown escapes stripped, as Tandem's encoders see them)."""
    files = sorted(root.glob("*/doc_source/*.md"))
    paths = [f.relative_to(root).as_posix() for f in files]
    texts = [plain_text(f.read_text("utf-8")) for f in files]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
    queries = bm25s.tokenize([q.text for q in questions], stopwords="en", show_progress=False)
    found, _ = retriever.retrieve(queries, k=10, show_progress=False)
    return Scores(
        [rank_of(q.path, [paths[i] for i in row]) for q, row in zip(questions, found, strict=True)]
    )


# --- the run -----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the aws-docs folder")
    parser.add_argument("--work", type=Path, help="keep the corpus and index here (reused)")
    parser.add_argument("--k", type=int, default=10, help="chunks asked per question")
    parser.add_argument("--no-write", action="store_true", help="print only")
    # `make bench` calls main() with no arguments; its own argv names the benchmarks to run.
    args = parser.parse_args([] if argv is None else argv)
    archive = args.data / "help-center-14.tar.gz"
    if not archive.exists() or not (args.data / "questions.csv").exists():
        print(f"skipped: the AWS help-center data is not at {args.data}", file=sys.stderr)
        return 0
    questions = load_questions(args.data / "questions.csv")
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        root = extract(archive, work)
        env = {**os.environ, "TANDEM_DATA_DIR": str(work / "var"), "TANDEM_LOG_LEVEL": "WARNING"}
        tandem(env, "db", "upgrade")
        started = time.perf_counter()
        ingested = json.loads(tandem(env, "ingest", str(root), "--source", "public", "--json"))
        ingest_seconds = time.perf_counter() - started
        print(f"ingested in {ingest_seconds:.0f} s: {ingested['chunks']} chunks", file=sys.stderr)
        token = tandem(env, "tokens", "create", f"bench-{time.time_ns()}").strip()
        with serving(env, work / "serve.log") as base:
            scores, seconds, took = score_api(base, token, questions, args.k)
            scorer = official(base, token, args.k)
        baseline = bm25_baseline(root, questions)
    section = report(
        questions=questions,
        scores=scores,
        baseline=baseline,
        seconds=seconds,
        took=took,
        ingested=ingested,
        ingest_seconds=ingest_seconds,
        scorer=scorer,
        k=args.k,
    )
    print("## Retrieval\n\n" + section)
    if not args.no_write:
        write_section("Retrieval", section)
        print(f"written to {DOCS}", file=sys.stderr)
    return 0


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(p * len(ordered)) - 1)]


def misses(questions: Sequence[Question], scores: Scores, at: int = 5) -> list[str]:
    """A table row per question whose gold page is not in the top ``at``, for a reader who
    wants to see what the system gets wrong (and judge the gold pages, too)."""
    rows = []
    for number, (question, rank) in enumerate(zip(questions, scores.ranks, strict=True)):
        if rank is None or rank > at:
            where = str(rank) if rank else "not in top 10"
            rows.append(f"| {number} | {question.text} | `{question.page}` | {where} |")
    return rows


def report(
    *,
    questions: Sequence[Question],
    scores: Scores,
    baseline: Scores,
    seconds: Sequence[float],
    took: Sequence[float],
    ingested: dict[str, Any],
    ingest_seconds: float,
    scorer: str,
    k: int,
) -> str:
    pii = ", ".join(f"{n} {kind}" for kind, n in ingested["pii"].items()) or "none"
    lines = [
        f"Measured {date.today().isoformat()} with `{COMMAND}` on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}: the 100 questions of "
        "`aws-docs/questions.csv` over the 14-guide help center (2,757 pages), asked through "
        f"`POST /api/v1/search` (k={k}) of a running `tandem serve`, scored at document level "
        "(the gold page's rank among the distinct pages of the results). BM25 is `bm25s` over "
        "whole pages (English stop words, Markdown escapes stripped), in the same run. "
        "The fusion (README, *Retrieval*) was tuned on the even rows only "
        "(`tests/benchmarks/tune_retrieval.py`); the odd rows are held out.",
        "",
        "| system | R@1 | R@5 | R@10 | MRR |",
        "| --- | ---: | ---: | ---: | ---: |",
        scores.row("Tandem, all 100"),
        scores.half(0).row("Tandem, tuning half (even rows)"),
        scores.half(1).row("Tandem, held-out half (odd rows)"),
        baseline.row("BM25 (bm25s), all 100"),
        baseline.half(0).row("BM25, even rows"),
        baseline.half(1).row("BM25, odd rows"),
        "",
        f"With {len(scores.ranks)} questions a 95 % interval on R@5 is about "
        f"±{scores.margin():.2f} (±{scores.half(1).margin():.2f} on a half): differences "
        "smaller than that between two rows are mostly chance.",
        "",
        f"Questions whose page Tandem does not rank in the top 5 ({len(misses(questions, scores))}"
        "; row numbers from 0, odd rows held out):",
        "",
        "| row | question | gold page | Tandem's rank |",
        "| ---: | --- | --- | ---: |",
        *misses(questions, scores),
        "",
        f"Search latency over HTTP: p50 {percentile(seconds, 0.5) * 1000:.1f} ms, "
        f"p95 {percentile(seconds, 0.95) * 1000:.1f} ms (server time p50 "
        f"{percentile(took, 0.5):.1f} ms, p95 {percentile(took, 0.95):.1f} ms, including "
        "redacting the question).",
        f"Ingest (`tandem ingest DIR --source public`): {ingest_seconds:.0f} s for "
        f"{ingested['new'] + ingested['changed']} new or changed and {ingested['unchanged']} "
        f"unchanged pages, {ingested['refused']} refused (the guides' LICENSE files, a duplicate "
        f"id), {ingested['chunks']} chunks written; PII redacted: {pii}.",
        "",
        "The official scorer (`../shared/tools/aws_eval.py`) in the same run; it counts a result "
        "as the gold page when any of its fields names the page, so a chunk that links to the "
        "gold page counts as well:",
        "",
        "```",
        scorer,
        "```",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
