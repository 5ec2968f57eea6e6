"""The stock llama-index pipelines that bench_drafts times Tandem against.

Both are a ``VectorStoreIndex`` over ``QdrantVectorStore`` on qdrant-client's local mode (a folder
on disk), over the same chunks as Tandem's index (read from Tandem's SQL chunks table, live
versions, so the text is identical, redaction included), with the same WordLlama model Tandem
embeds with (wrapped as a llama-index ``BaseEmbedding``). A question is answered by the index's
retriever plus a minimal extractive answer (the retrieved sentence sharing most words with the
question, cited by its chunk): no LLM, as on Tandem's side.

- Dense-only (this module, ``open_stock``): the cheapest stock configuration. Dense vectors only,
  the node text embedded the llama-index way (``heading: ...`` then the text), no filter,
  ``as_retriever(similarity_top_k=8)``.
- Hybrid + filtered (``stock_hybrid.open_hybrid``): the like-for-like one. Tandem's exact dense
  and BM25 vectors (sparse with the IDF modifier), llama-index's hybrid query with Tandem's
  candidate depth and dense/sparse weights, and the same payload filter as the benchmark's draft
  requests (``stock_hybrid.DRAFT_FILTERS``).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from llama_index.core import StorageContext, VectorStoreIndex
from llama_index.core.embeddings import BaseEmbedding
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, TextNode
from llama_index.vector_stores.qdrant import QdrantVectorStore
from pydantic import PrivateAttr
from qdrant_client import QdrantClient
from sqlalchemy import Select, func, select

from kb.database import Database
from kb.documents import ACTIVE, LIVE, Chunk, Document, DocumentVersion
from kb.index.encoders import WordLlamaEncoder

COLLECTION = "stock_chunks"
_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])
SHM = Path("/dev/shm")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[a-z0-9]+")


class WordLlamaEmbedding(BaseEmbedding):
    """Tandem's dense encoder as a llama-index embedding model."""

    _encoder: WordLlamaEncoder = PrivateAttr()

    def __init__(self, encoder: WordLlamaEncoder, **kwargs: Any) -> None:
        super().__init__(model_name=encoder.name, embed_batch_size=256, **kwargs)
        self._encoder = encoder

    def _get_query_embedding(self, query: str) -> list[float]:
        return [float(x) for x in self._encoder.encode([query])[0]]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_query_embedding(text)

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return [[float(x) for x in row] for row in self._encoder.encode(texts)]


def live_chunks(database_url: str, batch: int = 5000) -> Iterator[TextNode]:
    """Tandem's live chunks as llama-index nodes (the heading and title are embedded too, as
    llama-index does with node metadata by default; the ids are not)."""
    database = Database(database_url)
    query = live(
        select(Chunk.chunk_id, Chunk.heading, Chunk.text, Document.doc_id, Document.path)
    ).order_by(Chunk.id)
    try:
        with database.transaction() as session:
            for rows in session.execute(query.execution_options(yield_per=batch)).partitions():
                for chunk_id, heading, text, doc_id, path in rows:
                    yield TextNode(
                        id_=str(uuid.uuid5(uuid.NAMESPACE_URL, chunk_id)),
                        text=text,
                        metadata={
                            "heading": heading,
                            "chunk_id": chunk_id,
                            "doc_id": doc_id,
                            "path": path,
                        },
                        excluded_embed_metadata_keys=["chunk_id", "doc_id", "path"],
                        excluded_llm_metadata_keys=["chunk_id", "doc_id", "path"],
                    )
    finally:
        database.dispose()


def live(query: _Query) -> _Query:
    """``query`` over chunks restricted to the live versions of active documents (what
    Tandem's index holds), joined to their version and document."""
    return (
        query.select_from(Chunk)
        .join(DocumentVersion, Chunk.version_id == DocumentVersion.id)
        .join(Document, DocumentVersion.document_id == Document.id)
        .where(DocumentVersion.status == LIVE, Document.state == ACTIVE)
    )


def live_count(database_url: str) -> int:
    database = Database(database_url)
    try:
        with database.transaction() as session:
            return int(session.scalar(live(select(func.count(Chunk.id)))) or 0)
    finally:
        database.dispose()


@dataclass
class StockPipeline:
    index: VectorStoreIndex
    client: QdrantClient
    points: int
    build_seconds: float  # 0 when an earlier run's collection was reused

    def retriever(self, k: int) -> BaseRetriever:
        return self.index.as_retriever(similarity_top_k=k)

    def answer(self, question: str, k: int) -> tuple[str, str]:
        """(the extractive answer, the chunk id it cites)."""
        return extract(question, self.retriever(k).retrieve(question))

    def close(self) -> None:
        self.client.close()


def open_stock(
    folder: Path, database_url: str, encoder: WordLlamaEncoder, *, expected: int
) -> StockPipeline:
    """The local-mode collection in ``folder``, built from the SQL chunks unless an earlier run
    left one with ``expected`` points (``live_count``)."""
    embed = WordLlamaEmbedding(encoder)

    def build(client: QdrantClient) -> None:
        VectorStoreIndex(
            list(live_chunks(database_url)),
            storage_context=StorageContext.from_defaults(
                vector_store=QdrantVectorStore(client=client, collection_name=COLLECTION)
            ),
            embed_model=embed,
            insert_batch_size=4096,
        )

    client, seconds = reuse_or_build(folder, COLLECTION, expected, build)
    store = QdrantVectorStore(client=client, collection_name=COLLECTION)
    index = VectorStoreIndex.from_vector_store(store, embed_model=embed)
    return StockPipeline(index, client, client.count(COLLECTION).count, seconds)


def reuse_or_build(
    folder: Path, collection: str, expected: int, build: Callable[[QdrantClient], None]
) -> tuple[QdrantClient, float]:
    """A client on ``folder``, whose ``collection`` an earlier run left with ``expected`` points
    or ``build`` has just filled; and the seconds building took (0 when reused)."""
    client = _client(folder)
    if client.collection_exists(collection) and client.count(collection).count == expected:
        return client, 0.0
    client.close()
    shutil.rmtree(folder, ignore_errors=True)
    # Local mode commits every point to SQLite on its own (~15 ms each here, hours for 207k
    # points): build where a commit costs nothing (a tmpfs) and copy the folder into place.
    # Queries read the collection into memory either way, so their timings do not change.
    staging = Path(tempfile.mkdtemp(dir=SHM if SHM.is_dir() else None))
    try:
        started = time.perf_counter()
        built = _client(staging / "qdrant")
        with warnings.catch_warnings():
            # Local mode warns past 20,000 points, and that payload indexes do nothing in it.
            warnings.simplefilter("ignore", UserWarning)
            build(built)
        built.close()
        shutil.copytree(staging / "qdrant", folder)
        seconds = time.perf_counter() - started
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _client(folder), seconds


def _client(folder: Path) -> QdrantClient:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # local mode warns that it is not for production
        return QdrantClient(path=str(folder))


def extract(question: str, found: Sequence[NodeWithScore]) -> tuple[str, str]:
    asked = set(_WORD.findall(question.lower()))
    best, cited, overlap = "", "", -1
    for hit in found:
        for sentence in _SENTENCE.split(hit.node.get_content()):
            shared = len(asked & set(_WORD.findall(sentence.lower())))
            if shared > overlap:
                best, cited, overlap = sentence, str(hit.node.metadata.get("chunk_id", "")), shared
    return best, cited
