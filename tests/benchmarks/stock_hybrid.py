"""The like-for-like stock pipeline: llama-index's hybrid, filtered query over Tandem's vectors.

A ``VectorStoreIndex`` over ``QdrantVectorStore(enable_hybrid=True)`` on qdrant-client's local
mode, configured to do what Tandem's draft search does, through llama-index's own API:

- the same vectors: each node carries Tandem's dense vector (WordLlama over
  ``ingest.chunking.dense_text``, computed before insertion, so llama-index stores it as given);
  the node's embed text is the title, the heading and the text, which ``sparse_doc_fn`` turns
  into exactly Tandem's BM25 document vector (``Bm25Encoder`` over ``sparse_text``);
  ``sparse_query_fn`` is Tandem's BM25 query encoder. No fastembed model is loaded: llama-index
  only falls back to one when these functions are missing.
- the same collection: cosine dense, sparse with the IDF modifier (``sparse_config``), and the
  payload fields Tandem filters on (local mode ignores payload indexes; a server would not);
- the same query: ``vector_store_query_mode="hybrid"``, ``Fusion.candidates`` dense and sparse
  candidates, the top ``k`` after llama-index's relative-score fusion weighted as Tandem weighs
  (``alpha`` = ``Fusion.dense``), and the benchmark's draft filter (``DRAFT_FILTERS``) as
  ``MetadataFilters``.

It differs from Tandem in what fusion does after the candidates are found: llama-index scales
both lists min-max and keeps the best chunks; Tandem scales BM25 by its best hit, aggregates
chunks to documents, boosts title matches and keeps one chunk per document. The question is not
redacted on this side (Tandem's is).
"""

from __future__ import annotations

import sys
import time
import uuid
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llama_index.core import StorageContext, VectorStoreIndex
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode
from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters
from llama_index.vector_stores.qdrant import QdrantVectorStore
from qdrant_client import QdrantClient, models
from sqlalchemy import RowMapping, select

from ingest.chunking import dense_text
from ingest.plain import plain_text
from kb.database import Database
from kb.documents import Chunk, Document, DocumentVersion
from kb.index.encoders import Bm25Encoder, WordLlamaEncoder
from retrieval.fusion import Fusion
from tests.benchmarks.stock_pipeline import (
    StockPipeline,
    WordLlamaEmbedding,
    live,
    reuse_or_build,
)

COLLECTION = "stock_hybrid_chunks"
# What the benchmark's draft requests filter on, on both sides: a customer-facing helpdesk asks
# for English content meant for customers. Every chunk of the AWS corpus passes, so the filter
# costs its evaluation and changes no answer.
DRAFT_FILTERS: Mapping[str, Sequence[str]] = {"audience": ["customer"], "language": ["en"]}
FILTER_FIELDS = ("source", "visibility", "audience", "product", "language")
# The node metadata that makes its embed text Tandem's BM25 text (title, heading, text).
EMBEDDED = ("title", "heading")
# The keyword indexes Tandem creates for its filter fields (typed loosely: the store's hint
# says the field name is a PayloadSchemaType too).
PAYLOAD_INDEXES: list[dict[str, Any]] = [
    {"field_name": name, "field_schema": models.PayloadSchemaType.KEYWORD} for name in FILTER_FIELDS
]
SparseBatch = tuple[list[list[int]], list[list[float]]]


class Bm25Functions:
    """Tandem's BM25 encoder as llama-index's ``sparse_doc_fn`` and ``sparse_query_fn``."""

    def __init__(self) -> None:
        self.bm25 = Bm25Encoder()

    def documents(self, texts: list[str]) -> SparseBatch:
        # The embed text is "title\nheading\ntext"; plain_text makes it sparse_text's.
        vectors = [self.bm25.document(plain_text(text)) for text in texts]
        return [list(v.indices) for v in vectors], [list(v.values) for v in vectors]

    def queries(self, texts: list[str]) -> SparseBatch:
        vectors = [self.bm25.query(text) for text in texts]
        return [list(v.indices) for v in vectors], [list(v.values) for v in vectors]


def metadata_filters(filters: Mapping[str, Sequence[str]] | None) -> MetadataFilters | None:
    """Tandem's filter semantics (every field must hold one of its values) in llama-index's."""
    if not filters:
        return None
    return MetadataFilters(
        filters=[
            MetadataFilter(key=key, value=list(values), operator=FilterOperator.IN)
            for key, values in filters.items()
        ]
    )


@dataclass
class HybridPipeline(StockPipeline):
    filters: MetadataFilters | None = None
    candidates: int = Fusion().candidates
    alpha: float = Fusion().dense  # llama-index's dense weight; sparse gets 1 - alpha

    def retriever(self, k: int) -> BaseRetriever:
        return self.index.as_retriever(
            vector_store_query_mode="hybrid",
            similarity_top_k=max(self.candidates, k),
            sparse_top_k=max(self.candidates, k),
            hybrid_top_k=k,
            alpha=self.alpha,
            filters=self.filters,
        )


def hybrid_nodes(
    database_url: str, encoder: WordLlamaEncoder, batch: int = 4096
) -> Iterator[list[TextNode]]:
    """Tandem's live chunks as nodes carrying Tandem's dense vector, ``batch`` at a time."""
    database = Database(database_url)
    query = live(
        select(
            Chunk.chunk_id,
            Chunk.heading,
            Chunk.text,
            DocumentVersion.title,
            Document.doc_id,
            Document.path,
            *(getattr(Document, name) for name in FILTER_FIELDS if name != "visibility"),
        )
    ).order_by(Chunk.id)
    try:
        with database.transaction() as session:
            for rows in session.execute(query.execution_options(yield_per=batch)).partitions():
                found = [row._mapping for row in rows]
                dense = encoder.encode(
                    [dense_text(r["title"], r["heading"], r["text"]) for r in found]
                )
                yield [_node(r, vector.tolist()) for r, vector in zip(found, dense, strict=True)]
    finally:
        database.dispose()


def _node(row: RowMapping, embedding: list[float]) -> TextNode:
    metadata = {
        "title": row["title"],
        "heading": row["heading"],
        "chunk_id": row["chunk_id"],
        "path": row["path"],
        **{name: row[name] for name in FILTER_FIELDS if name != "visibility"},
        "visibility": "public" if row["source"] == "public" else "internal",  # as Document has it
    }
    hidden = [key for key in metadata if key not in EMBEDDED]
    return TextNode(
        id_=str(uuid.uuid5(uuid.NAMESPACE_URL, row["chunk_id"])),
        text=row["text"],
        embedding=embedding,
        metadata=metadata,
        # The document as llama-index links a node to its source (stored as the doc_id payload).
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=row["doc_id"])},
        excluded_embed_metadata_keys=hidden,
        excluded_llm_metadata_keys=hidden,
        metadata_template="{value}",
        metadata_separator="\n",
        text_template="{metadata_str}\n{content}",
    )


def _store(client: QdrantClient, sparse: Bm25Functions) -> QdrantVectorStore:
    return QdrantVectorStore(
        client=client,
        collection_name=COLLECTION,
        enable_hybrid=True,
        sparse_doc_fn=sparse.documents,
        sparse_query_fn=sparse.queries,
        sparse_config=models.SparseVectorParams(modifier=models.Modifier.IDF),
        payload_indexes=PAYLOAD_INDEXES,
        batch_size=1024,
    )


def open_hybrid(
    folder: Path,
    database_url: str,
    encoder: WordLlamaEncoder,
    *,
    expected: int,
    filters: Mapping[str, Sequence[str]] | None = DRAFT_FILTERS,
) -> HybridPipeline:
    """The hybrid local-mode collection in ``folder``, built from the SQL chunks unless an
    earlier run left one with ``expected`` points; its retriever applies ``filters``."""
    embed = WordLlamaEmbedding(encoder)
    sparse = Bm25Functions()

    def build(client: QdrantClient) -> None:
        index = VectorStoreIndex(
            [],
            storage_context=StorageContext.from_defaults(vector_store=_store(client, sparse)),
            embed_model=embed,
        )
        done, started = 0, time.perf_counter()
        for nodes in hybrid_nodes(database_url, encoder):
            index.insert_nodes(nodes)
            done += len(nodes)
            seconds = time.perf_counter() - started
            print(
                f"stock hybrid: {done:,} of {expected:,} chunks, {seconds:.0f} s", file=sys.stderr
            )

    client, seconds = reuse_or_build(folder, COLLECTION, expected, build)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # payload indexes do nothing in local mode
        store = _store(client, sparse)
    index = VectorStoreIndex.from_vector_store(store, embed_model=embed)
    points = client.count(COLLECTION).count
    return HybridPipeline(index, client, points, seconds, metadata_filters(filters))
