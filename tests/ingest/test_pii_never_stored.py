"""The PII seeded in the demo articles never reaches the index files, SQL or the logs."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from ingest.pipeline import IngestPipeline
from kb.database import Database
from kb.demo import articles_dir, data_dir
from kb.index.edge import EdgeIndex
from kb.index.encoders import WordLlamaEncoder
from kb.redaction import Redactor
from webapp import migrate


def seeded_article_pii() -> list[str]:
    """The values listed in the demo data's SEEDED_PII.md under "Articles"."""
    text = data_dir().joinpath("SEEDED_PII.md").read_text("utf-8")
    section = text.split("## Articles", 1)[1].split("### Allow-listed", 1)[0]
    return re.findall(r"^\| [^|]+ \| `([^`]+)` \|", section, flags=re.MULTILINE)


def draft_markers() -> list[str]:
    text = data_dir().joinpath("SEEDED_PII.md").read_text("utf-8")
    section = text.split("## Unapproved drafts", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| articles/")]
    return [marker for row in rows for marker in re.findall(r"`([^`]{8,})`", row)]


def test_the_seed_list_covers_every_kind_of_pii() -> None:
    values = seeded_article_pii()
    assert len(values) >= 30
    assert "2221 0000 0000 0009" in values  # a 2-series Mastercard
    assert "GB82 WEST 1234 5698 7654 32" in values


def test_seeded_pii_never_reaches_the_data_dir_or_the_logs(
    tmp_path: Path,
    redactor: Redactor,
    encoder: WordLlamaEncoder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    var = tmp_path / "var"
    var.mkdir()
    database = Database(f"sqlite:///{var / 'tandem.db'}")
    migrate.upgrade(database)
    index = EdgeIndex(var / "qdrant", dim=256)
    caplog.set_level(logging.DEBUG)
    report = IngestPipeline(database, index, redactor=redactor, encoder=encoder).ingest(
        Path(str(articles_dir())), actor="test"
    )
    index.close()  # flush the shard so every byte is on disk
    database.dispose()
    assert report.new >= 40
    assert report.pii["PERSON"] > 0
    assert report.pii["IBAN_CODE"] >= 3

    stored = b"".join(p.read_bytes() for p in var.rglob("*") if p.is_file())
    logs = caplog.text
    leaked = [v for v in seeded_article_pii() if v.encode() in stored or v in logs]
    assert not leaked, f"PII found in the data dir or the logs: {leaked}"
    drafts = [m for m in draft_markers() if m.encode() in stored]
    assert not drafts, f"text from unapproved drafts was stored: {drafts}"
