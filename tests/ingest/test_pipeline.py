from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ingest.pipeline import IngestPipeline, Provenance
from kb.audit import AuditLog
from kb.database import Database
from kb.documents import Chunk, DocumentStore, DocumentVersion
from kb.index.interfaces import VectorIndex
from retrieval.search import HybridSearch

PAYOUTS = """# Payout schedule

Payouts arrive two business days after a payment settles. Weekend payments settle on Monday.

## Delays

A payout can be held for review when the bank account changed in the last 7 days.
"""
INVOICES = """# Recurring invoices

Create a recurring invoice from Invoices → New → Recurring and pick the interval.
"""


def _versions(database: Database) -> int:
    with database.transaction() as s:
        return s.scalar(select(func.count()).select_from(DocumentVersion)) or 0


def test_public_and_approved_internal_docs_are_indexed_and_searchable(
    pipeline: IngestPipeline, search: HybridSearch, write_doc: Callable[..., Path]
) -> None:
    write_doc("payouts", PAYOUTS, id="payouts", title="Payout schedule")
    root = write_doc("invoices", INVOICES, id="invoices", source="internal", audience="agent")
    report = pipeline.ingest(root, actor="test")
    assert (report.seen, report.new, report.refused) == (2, 2, 0)
    hits = search.search("when does my payout arrive", k=3)
    assert hits[0].doc_id == "payouts"
    assert hits[0].payload["heading"].startswith("Payout schedule")
    internal = search.search("recurring invoice interval", k=3, filters={"visibility": ["public"]})
    assert all(hit.doc_id != "invoices" for hit in internal)


@pytest.mark.parametrize(
    ("front", "reason"),
    [
        ({"source": "internal", "approved": False}, "not approved"),
        ({"source": "internal", "approved": "null"}, "internal document without approval"),
        ({"source": "partner"}, "source must be public or internal, not 'partner'"),
    ],
)
def test_the_gate_refuses_unapproved_docs_with_a_reason(
    pipeline: IngestPipeline,
    index: VectorIndex,
    write_doc: Callable[..., Path],
    front: dict[str, object],
    reason: str,
) -> None:
    write_doc("ok", PAYOUTS, id="ok")
    root = write_doc("draft", INVOICES, id="draft", **front)
    report = pipeline.ingest(root, actor="test")
    assert report.new == 1
    assert report.refused == 1
    assert report.refusals[0]["path"] == "draft.md"
    assert reason in report.refusals[0]["reason"]
    assert index.chunk_ids("draft") == []


def test_files_without_front_matter_need_declared_provenance(
    pipeline: IngestPipeline, tmp_path: Path, kb_database: Database
) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    (root / "notes.txt").write_text("Payout holds\n\nPayouts are held after bank changes.\n")
    refused = pipeline.ingest(root, actor="test")
    assert refused.refused == 1
    assert "no provenance" in refused.refusals[0]["reason"]
    declared = pipeline.ingest(
        root, actor="ada", provenance=Provenance(source="internal", approved=True)
    )
    assert declared.new == 1
    with kb_database.transaction() as s:
        entry = AuditLog(s).entries(action="ingest.run", limit=1)[0]
        assert entry.actor == "ada"
        assert entry.details["declared"] == {"source": "internal", "approved": True}


def test_reingesting_unchanged_content_writes_nothing(
    pipeline: IngestPipeline, kb_database: Database, write_doc: Callable[..., Path]
) -> None:
    write_doc("payouts", PAYOUTS, id="payouts")
    root = write_doc("invoices", INVOICES, id="invoices")
    first = pipeline.ingest(root, actor="test")
    versions = _versions(kb_database)
    again = pipeline.ingest(root, actor="test")
    assert (again.new, again.changed, again.unchanged, again.chunks) == (0, 0, 2, 0)
    assert _versions(kb_database) == versions
    assert first.chunks > 0


def test_a_changed_doc_replaces_its_old_chunks(
    pipeline: IngestPipeline,
    index: VectorIndex,
    search: HybridSearch,
    kb_database: Database,
    write_doc: Callable[..., Path],
) -> None:
    root = write_doc("payouts", PAYOUTS, id="payouts")
    pipeline.ingest(root, actor="test")
    write_doc("payouts", PAYOUTS.replace("two business days", "three business days"), id="payouts")
    report = pipeline.ingest(root, actor="test")
    assert report.changed == 1
    assert all(chunk_id.startswith("payouts:2:") for chunk_id in index.chunk_ids("payouts"))
    hit = search.search("payout business days", k=1)[0]
    assert "three business days" in hit.payload["text"]
    with kb_database.transaction() as s:
        statuses = [v.status for v in DocumentStore(s).get("payouts").versions]
    assert statuses == ["superseded", "live"]


def test_a_deleted_doc_disappears_from_search(
    pipeline: IngestPipeline,
    index: VectorIndex,
    search: HybridSearch,
    write_doc: Callable[..., Path],
) -> None:
    write_doc("payouts", PAYOUTS, id="payouts")
    root = write_doc("invoices", INVOICES, id="invoices")
    pipeline.ingest(root, actor="test")
    (root / "invoices.md").unlink()
    report = pipeline.ingest(root, actor="test")
    assert report.deleted == 1
    assert index.chunk_ids("invoices") == []
    assert all(hit.doc_id != "invoices" for hit in search.search("recurring invoice", k=5))


def test_a_doc_that_loses_its_approval_leaves_the_index(
    pipeline: IngestPipeline, index: VectorIndex, write_doc: Callable[..., Path]
) -> None:
    root = write_doc("invoices", INVOICES, id="invoices", source="internal")
    pipeline.ingest(root, actor="test")
    write_doc("invoices", INVOICES, id="invoices", source="internal", approved=False)
    report = pipeline.ingest(root, actor="test")
    assert report.withdrawn == 1
    assert index.chunk_ids("invoices") == []


def test_bad_files_are_reported_and_the_rest_of_the_batch_completes(
    pipeline: IngestPipeline, index: VectorIndex, write_doc: Callable[..., Path]
) -> None:
    root = write_doc("payouts", PAYOUTS, id="payouts")
    (root / "logo.bin.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    (root / "latin1.md").write_bytes("---\nsource: public\n---\nCaf\xe9".encode("latin-1"))
    with (root / "huge.md").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    (root / "broken.md").write_text("---\ntitle: [unclosed\nsource: public\n---\nBody\n")
    write_doc("draft", INVOICES, id="draft", source="internal", approved=False)
    report = pipeline.ingest(root, actor="test")
    reasons = {refusal["path"]: refusal["reason"] for refusal in report.refusals}
    assert set(reasons) == {"logo.bin.md", "latin1.md", "huge.md", "broken.md", "draft.md"}
    assert "binary" in reasons["logo.bin.md"]
    assert "UTF-8" in reasons["latin1.md"]
    assert "10 MB" in reasons["huge.md"]
    assert "front matter" in reasons["broken.md"]
    assert report.new == 1
    assert index.chunk_ids("payouts")


def test_chunk_ids_are_stable_and_carry_their_metadata(
    pipeline: IngestPipeline,
    kb_database: Database,
    search: HybridSearch,
    write_doc: Callable[..., Path],
) -> None:
    root = write_doc(
        "payouts",
        PAYOUTS,
        id="payouts",
        title="Payout schedule",
        product="payments",
        audience="customer",
        url="https://help.fernhill.example/payouts",
    )
    pipeline.ingest(root, actor="test")
    with kb_database.transaction() as s:
        ids = list(s.scalars(select(Chunk.chunk_id).order_by(Chunk.position)))
    assert ids == [f"payouts:1:{n}" for n in range(len(ids))]
    payload = search.search("payout held for review", k=1)[0].payload
    assert payload["product"] == "payments"
    assert payload["url"] == "https://help.fernhill.example/payouts"
    assert payload["heading"] == "Payout schedule > Delays"
    assert payload["source"] == "public"
