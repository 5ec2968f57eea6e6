"""Ingest the full AWS documentation corpus (25,860 pages) through ``tandem ingest``.

Measures wall time, documents/s, chunks, peak RSS and index size for a first ingest, then the
time of an unchanged re-ingest. Run: ``.venv/bin/python -m tests.benchmarks bench_ingest``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from tests.benchmarks.report import write_section

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "aws-docs" / "corpus-all.tar.gz"
COMMAND = ".venv/bin/python -m tests.benchmarks bench_ingest"


def _ingest(data_dir: Path, corpus: Path) -> tuple[dict[str, Any], float, int]:
    env = {**os.environ, "TANDEM_DATA_DIR": str(data_dir)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "webapp", "ingest", str(corpus), "--source", "public", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    peak_kb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary, wall, peak_kb


def _row(name: str, took: str, rate: float, summary: dict[str, Any]) -> str:
    header = "| run | wall time | docs/s | new | unchanged | chunks | PII redacted |\n"
    header += "| --- | --- | --- | --- | --- | --- | --- |\n" if name == "first ingest" else ""
    pii = sum(summary["pii"].values())
    cells = [
        name,
        took,
        f"{rate:.0f}",
        summary["new"],
        summary["unchanged"],
        summary["chunks"],
        pii,
    ]
    row = "| " + " | ".join(str(c) for c in cells) + " |"
    return (header if name == "first ingest" else "") + row


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} is not here")
        return
    with tempfile.TemporaryDirectory(prefix="tandem-bench-ingest-") as tmp:
        root, data_dir = Path(tmp) / "corpus", Path(tmp) / "var"
        with tarfile.open(CORPUS) as archive:
            archive.extractall(root, filter="data")
        pages = sum(1 for _ in root.rglob("*.md"))
        subprocess.run(
            [sys.executable, "-m", "webapp", "db", "upgrade"],
            env={**os.environ, "TANDEM_DATA_DIR": str(data_dir)},
            check=True,
            capture_output=True,
        )
        first, wall, peak_kb = _ingest(data_dir, root)
        again, rewall, _ = _ingest(data_dir, root)
        index_mb = _size(data_dir / "qdrant") / 1e6
        sql_mb = (
            sum(_size(p) if p.is_dir() else p.stat().st_size for p in data_dir.glob("tandem.db*"))
            / 1e6
        )
    body = f"""Full AWS documentation corpus (`corpus-all.tar.gz`, {pages:,} pages, 198 guides),
ingested with `tandem ingest <dir> --source public --json` into a fresh data dir (Qdrant Edge,
SQLite), then ingested again unchanged. Command: `{COMMAND}` ({date.today().isoformat()}).

{_row("first ingest", f"{wall / 60:.1f} min", pages / wall, first)}
{_row("unchanged re-ingest", f"{rewall:.0f} s", pages / rewall, again)}

Peak RSS of the ingest process: {peak_kb / 1024:.0f} MB. Index on disk: {index_mb:.0f} MB (Qdrant
Edge), SQL: {sql_mb:.0f} MB. Goal: first ingest ≤ 15 min on this 2-core machine, unchanged
re-ingest ≤ 1 min.
"""
    print(body)
    write_section("Ingestion at scale", body)


if __name__ == "__main__":
    main()
