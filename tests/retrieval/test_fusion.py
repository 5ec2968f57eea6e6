from __future__ import annotations

from kb.index.interfaces import ScoredChunk
from retrieval.fusion import FusedChunk, Fusion, fuse_chunks, rank_documents, select_chunks


def chunk(doc_id: str, position: int, score: float, title: str = "") -> ScoredChunk:
    payload = {"title": title or doc_id}
    return ScoredChunk(f"{doc_id}:1:{position}", doc_id, 1, score, payload)


def test_bm25_outweighs_dense_and_a_chunk_found_by_both_gets_both() -> None:
    sparse = [chunk("a", 0, 12.0), chunk("b", 0, 6.0)]
    dense = [chunk("b", 0, 0.9), chunk("c", 0, 0.5)]
    fused = fuse_chunks(dense, sparse, Fusion(sparse=0.8, dense=0.2))
    scores = {c.hit.doc_id: round(c.score, 3) for c in fused}
    assert scores == {"a": 0.8, "b": 0.6, "c": 0.0}  # b: 0.8 * 6/12 + 0.2 * 1


def test_a_document_whose_title_holds_the_query_outranks_an_equal_body_match() -> None:
    fused = [
        FusedChunk(chunk("chargebacks", 0, 1.0, "Chargebacks"), 0.9),
        FusedChunk(chunk("refunds", 0, 1.0, "Refund policy"), 0.85),
    ]
    plain = rank_documents(fused, Fusion(title=0.0))
    assert [d.doc_id for d in plain] == ["chargebacks", "refunds"]
    boosted = rank_documents(
        fused, Fusion(title=0.1), title_match=lambda title: float("Refund" in title)
    )
    assert [d.doc_id for d in boosted] == ["refunds", "chargebacks"]


def test_several_matching_chunks_make_a_better_document_than_one() -> None:
    fused = [
        FusedChunk(chunk("single", 0, 1.0), 0.80),
        FusedChunk(chunk("broad", 0, 1.0), 0.78),
        FusedChunk(chunk("broad", 1, 1.0), 0.70),
        FusedChunk(chunk("broad", 2, 1.0), 0.60),
    ]
    ranked = rank_documents(fused, Fusion(support=0.05, support_chunks=3))
    assert [d.doc_id for d in ranked] == ["broad", "single"]
    assert [c.hit.chunk_id for c in ranked[0].chunks] == ["broad:1:0", "broad:1:1", "broad:1:2"]


def test_selection_shows_a_documents_close_second_chunk_but_not_a_weak_one() -> None:
    fused = [
        FusedChunk(chunk("a", 0, 1.0), 1.0),
        FusedChunk(chunk("a", 1, 1.0), 0.9),  # close to a's best: worth citing too
        FusedChunk(chunk("b", 0, 1.0), 0.8),
        FusedChunk(chunk("b", 1, 1.0), 0.3),  # weak: the next document is shown instead
        FusedChunk(chunk("c", 0, 1.0), 0.7),
    ]
    documents = rank_documents(fused, Fusion(support=0.0))
    picked = select_chunks(documents, k=10, per_doc=2, close=0.8)
    assert [c.hit.chunk_id for _, c in picked] == ["a:1:0", "a:1:1", "b:1:0", "c:1:0"]
    assert len(select_chunks(documents, k=2, per_doc=2, close=0.8)) == 2
