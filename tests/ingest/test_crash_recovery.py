"""Ingestion killed with SIGKILL mid-run resumes with no duplicate and no missing chunk."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from ingest.pipeline import IngestPipeline
from kb.database import Database
from kb.index.edge import EdgeIndex
from kb.index.encoders import WordLlamaEncoder
from kb.redaction import Redactor
from webapp import migrate

DOCS = 1200
TOPICS = ["payouts", "invoices", "payroll", "refunds", "receipts", "taxes", "exports", "roles"]


def _corpus(root: Path) -> None:
    root.mkdir(parents=True)
    for n in range(DOCS):
        topic = TOPICS[n % len(TOPICS)]
        (root / f"article-{n:04d}.md").write_text(
            f"---\nid: article-{n:04d}\nsource: public\n---\n# {topic.title()} note {n}\n\n"
            f"How {topic} work for account {n}. Settings live under {topic.title()} → Options.\n\n"
            f"## Details {n}\n\nStep one for {topic}. Step two checks the {topic} history.\n",
            encoding="utf-8",
        )


def _cli(data_dir: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TANDEM_DATA_DIR": str(data_dir)}
    return subprocess.Popen(
        [sys.executable, "-m", "webapp", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _versions_written(db_file: Path) -> int:
    try:
        with sqlite3.connect(db_file, timeout=1) as connection:
            row = connection.execute("SELECT count(*) FROM document_versions").fetchone()
            return int(row[0])
    except sqlite3.OperationalError:
        return 0


def _live_chunk_ids(database: Database) -> list[str]:
    from sqlalchemy import select

    from kb.documents import Chunk, Document, DocumentVersion

    with database.transaction() as s:
        return list(
            s.scalars(
                select(Chunk.chunk_id)
                .join(DocumentVersion)
                .join(Document)
                .where(DocumentVersion.status == "live", Document.state == "active")
            )
        )


def test_a_killed_ingest_resumes_without_duplicates_or_losses(
    tmp_path: Path, redactor: Redactor, encoder: WordLlamaEncoder
) -> None:
    corpus, data_dir = tmp_path / "corpus", tmp_path / "var"
    _corpus(corpus)
    data_dir.mkdir()
    database = Database(f"sqlite:///{data_dir / 'tandem.db'}")
    migrate.upgrade(database)

    run = _cli(data_dir, "ingest", str(corpus), "--json")
    deadline = time.monotonic() + 120
    while _versions_written(data_dir / "tandem.db") < 100:
        assert run.poll() is None, run.communicate()[1].decode()[-2000:]
        assert time.monotonic() < deadline, "ingestion made no progress"
        time.sleep(0.05)
    run.send_signal(signal.SIGKILL)
    run.wait()
    killed_at = _versions_written(data_dir / "tandem.db")
    assert 0 < killed_at < DOCS, "the run must be killed midway"

    resumed = _cli(data_dir, "ingest", str(corpus), "--json")
    _, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, err.decode()[-2000:]

    # A clean ingest of the same corpus, elsewhere, is the expected result.
    clean_dir = tmp_path / "clean"
    clean_dir.mkdir()
    clean_db = Database(f"sqlite:///{clean_dir / 'tandem.db'}")
    migrate.upgrade(clean_db)
    clean_index = EdgeIndex(clean_dir / "qdrant", dim=256)
    IngestPipeline(clean_db, clean_index, redactor=redactor, encoder=encoder).ingest(
        corpus, actor="test"
    )
    expected = sorted(_live_chunk_ids(clean_db))
    clean_index.close()

    index = EdgeIndex(data_dir / "qdrant", dim=256)
    try:
        stored = sorted(_live_chunk_ids(database))
        indexed = [cid for doc in range(DOCS) for cid in index.chunk_ids(f"article-{doc:04d}")]
        assert stored == expected
        assert sorted(indexed) == expected  # nothing missing, nothing left from a stale version
        assert len(set(indexed)) == len(indexed)  # no duplicate ids
        assert index.count() == len(expected)
    finally:
        index.close()
        database.dispose()
        clean_db.dispose()
