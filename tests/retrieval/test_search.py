from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from ingest.pipeline import IngestPipeline
from kb.database import Database
from kb.documents import DocumentStore
from kb.errors import InvalidInput
from kb.index.encoders import WordLlamaEncoder
from kb.index.interfaces import VectorIndex
from kb.redaction import Redactor
from retrieval.fusion import Fusion
from retrieval.search import HybridSearch

# Two pages that both talk about refunds; only one is *about* them.
REFUNDS = """# Refund policy

Refunds go back to the original card within 5 business days. A refund can be partial.
"""
CHARGEBACKS = """# Chargebacks and disputes

When a customer disputes a payment, the bank opens a chargeback. Respond within 7 days with
evidence. A refund issued after the chargeback opens does not close it; a refund before it does.
"""
PAYOUTS = """# Payout schedule

Payouts arrive two business days after a payment settles.

## Delays

A payout can be held for review when the bank account changed in the last 7 days.

## Currencies

Payouts in another currency are converted at the daily rate.
"""


@pytest.fixture
def knowledge(pipeline: IngestPipeline, write_doc: Callable[..., Path]) -> IngestPipeline:
    """Three public articles and one internal one for agents (marked Spanish: only the
    metadata matters to the filters), ingested for real."""
    write_doc("refunds", REFUNDS, id="refunds", product="payments")
    write_doc("chargebacks", CHARGEBACKS, id="chargebacks", product="payments")
    write_doc("payouts", PAYOUTS, id="payouts", product="payouts")
    root = write_doc(
        "overrides",
        "# Refund overrides\n\nAgents can approve a refund above the limit in the admin panel.\n",
        id="refund-overrides",
        source="internal",
        audience="agent",
        language="es",
    )
    pipeline.ingest(root, actor="test")
    return pipeline


def test_a_document_about_the_question_outranks_one_that_mentions_it(
    knowledge: IngestPipeline, search: HybridSearch
) -> None:
    hits = search.search("refund", k=5)
    assert hits[0].doc_id == "refunds"
    assert "chargebacks" in {hit.doc_id for hit in hits}


def test_results_are_the_best_chunk_of_each_document_best_first(
    knowledge: IngestPipeline, search: HybridSearch
) -> None:
    hits = search.search("when do payouts arrive and why are they held", k=10)
    assert hits[0].doc_id == "payouts"
    assert len({hit.doc_id for hit in hits}) == len(hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    first = hits[0].as_result()
    assert first["chunk_id"].startswith("payouts:1:")
    assert first["title"] == "Payout schedule"
    assert first["heading"].startswith("Payout schedule")
    assert first["path"] == "payouts.md"
    assert first["visibility"] == "public"
    assert "Payouts" in first["text"] or "payout" in first["text"]


def test_a_caller_may_take_several_passages_of_a_page_grouped_by_document(
    knowledge: IngestPipeline, kb_database: Database, index: VectorIndex, encoder: WordLlamaEncoder
) -> None:
    search = HybridSearch(kb_database, index, encoder, fusion=Fusion(per_doc=3, close=0.0))
    hits = search.search("payouts held delays currency converted", k=10)
    order = [hit.doc_id for hit in hits]
    assert order[:3] == ["payouts"] * 3
    # Each document's chunks are adjacent, best document first.
    assert order == sorted(order, key=order.index)


def test_filters_restrict_results_to_the_allowed_values(
    knowledge: IngestPipeline, search: HybridSearch
) -> None:
    public = search.search("refund", k=10, filters={"visibility": ["public"]})
    assert public
    assert {hit.doc_id for hit in public} <= {"refunds", "chargebacks", "payouts"}
    agents = search.search("refund", k=10, filters={"language": ["es"], "audience": ["agent"]})
    assert [hit.doc_id for hit in agents] == ["refund-overrides"]
    payouts = search.search("refund", k=10, filters={"product": ["payouts"]})
    assert {hit.doc_id for hit in payouts} <= {"payouts"}
    either = search.search("refund", k=10, filters={"doc_id": ["refunds", "chargebacks"]})
    assert {hit.doc_id for hit in either} == {"refunds", "chargebacks"}


@pytest.mark.parametrize(
    ("filters", "field", "message"),
    [
        ({"colour": ["red"]}, "filters.colour", "Unknown filter field"),
        ({"language": []}, "filters.language", "at least one"),
    ],
)
def test_bad_filters_are_refused_by_field(
    search: HybridSearch, filters: dict[str, list[str]], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        search.search("refund", filters=filters)
    assert message in " ".join(refused.value.errors[field])


def test_versions_that_are_not_live_are_never_returned(
    knowledge: IngestPipeline, search: HybridSearch, write_doc: Callable[..., Path]
) -> None:
    root = write_doc(
        "refunds", REFUNDS.replace("5 business days", "10 business days"), id="refunds"
    )
    knowledge.ingest(root, actor="test")
    hits = search.search("refund original card business days", k=10)
    refunds = [hit for hit in hits if hit.doc_id == "refunds"]
    assert refunds
    assert {hit.version for hit in refunds} == {2}
    assert all("10 business days" in hit.payload["text"] for hit in refunds)
    # Removing the file from the folder deletes the document: it leaves search at once.
    (root / "refunds.md").unlink()
    knowledge.ingest(root, actor="test")
    assert "refunds" not in {hit.doc_id for hit in search.search("refund", k=10)}


def test_points_of_a_version_sql_does_not_call_live_are_skipped(
    knowledge: IngestPipeline, search: HybridSearch, kb_database: Database
) -> None:
    # As mid-update: version 1's points are still in the index, but SQL points elsewhere.
    with kb_database.transaction() as session:
        document = DocumentStore(session).get("refunds")
        assert document is not None
        document.live_version = 2
    assert "refunds" not in {hit.doc_id for hit in search.search("refund policy", k=10)}


class RecordingEncoder:
    """The real encoder, remembering what it was asked to embed."""

    def __init__(self, inner: WordLlamaEncoder) -> None:
        self.inner = inner
        self.name, self.dim = inner.name, inner.dim
        self.seen: list[str] = []

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.seen.extend(texts)
        return self.inner.encode(texts)


def test_the_query_is_redacted_before_it_is_embedded_or_matched(
    knowledge: IngestPipeline,
    kb_database: Database,
    index: VectorIndex,
    encoder: WordLlamaEncoder,
    redactor: Redactor,
) -> None:
    recording = RecordingEncoder(encoder)
    search = HybridSearch(
        kb_database, index, recording, redact=lambda text: redactor.redact(text).text
    )
    query = "Hi, I am Dana Whitfield (dana@whitfield.example). Where is my refund?"
    hits = search.search(query, k=3)
    assert hits[0].doc_id == "refunds"
    assert recording.seen == [search.searchable(query)]
    for secret in ("Dana", "Whitfield", "dana@whitfield.example", "<EMAIL_ADDRESS_1>"):
        assert secret not in recording.seen[0]
    assert "refund" in recording.seen[0]


def test_a_query_with_nothing_left_after_redaction_finds_nothing(
    knowledge: IngestPipeline, search: HybridSearch
) -> None:
    assert search.search("dana@whitfield.example") == []
