"""The scaled backend: a Qdrant server or cluster through ``qdrant-client``.

Same named vectors (dense cosine + BM25 with the IDF modifier), same payload and filters as the
embedded backend; shards and replicas come from the settings when Tandem creates the collection.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from kb.errors import IndexUnavailable
from kb.index.interfaces import (
    DENSE,
    IDENTITY_FIELDS,
    INTEGER_FIELDS,
    KEYWORD_FIELDS,
    SPARSE,
    ChunkPoint,
    IndexFilter,
    ScoredChunk,
    SparseVector,
    point_id,
)


class ServerIndex:
    """A collection on a Qdrant server (or any ``QdrantClient``, e.g. local mode in tests)."""

    backend = "qdrant-server"

    def __init__(
        self,
        client: QdrantClient,
        collection: str,
        *,
        dim: int,
        shards: int = 1,
        replicas: int = 1,
    ) -> None:
        self.client = client
        self.collection = collection
        self.dim = dim
        self.shards = shards
        self.replicas = replicas
        with _reaching_server():
            if not client.collection_exists(collection):
                self._create()

    def _create(self) -> None:
        self.client.create_collection(
            self.collection,
            vectors_config={
                DENSE: models.VectorParams(size=self.dim, distance=models.Distance.COSINE)
            },
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
            shard_number=self.shards,
            replication_factor=self.replicas,
        )
        for name in KEYWORD_FIELDS:
            self.client.create_payload_index(
                self.collection, field_name=name, field_schema=models.PayloadSchemaType.KEYWORD
            )
        for name in INTEGER_FIELDS:
            self.client.create_payload_index(
                self.collection, field_name=name, field_schema=models.PayloadSchemaType.INTEGER
            )

    def upsert(self, points: Sequence[ChunkPoint]) -> None:
        if not points:
            return
        structs = [
            models.PointStruct(
                id=point.point_id,
                vector={
                    DENSE: list(point.dense),
                    SPARSE: models.SparseVector(
                        indices=list(point.sparse.indices), values=list(point.sparse.values)
                    ),
                },
                payload={
                    **point.payload,
                    "chunk_id": point.chunk_id,
                    "doc_id": point.doc_id,
                    "version": point.version,
                },
            )
            for point in points
        ]
        with _reaching_server():
            self.client.upsert(self.collection, wait=True, points=structs)

    def delete_document(self, doc_id: str, *, keep_version: int | None = None) -> None:
        must: list[Any] = [
            models.FieldCondition(key="doc_id", match=models.MatchValue(value=doc_id))
        ]
        must_not: list[Any] = []
        if keep_version is not None:
            must_not.append(
                models.FieldCondition(key="version", match=models.MatchValue(value=keep_version))
            )
        selector = models.FilterSelector(filter=models.Filter(must=must, must_not=must_not))
        with _reaching_server():
            self.client.delete(self.collection, wait=True, points_selector=selector)

    def search(
        self,
        dense: Sequence[float] | None,
        sparse: SparseVector | None,
        *,
        limit: int,
        where: IndexFilter | None = None,
        fields: Sequence[str] | None = None,
    ) -> tuple[list[ScoredChunk], list[ScoredChunk]]:
        flt = _filter(where)
        payload: bool | list[str] = True if fields is None else [*IDENTITY_FIELDS, *fields]
        requests, kinds = [], []
        if dense is not None:
            requests.append(
                models.QueryRequest(
                    query=list(dense), using=DENSE, filter=flt, limit=limit, with_payload=payload
                )
            )
            kinds.append(DENSE)
        if sparse is not None and len(sparse.indices):
            vector = models.SparseVector(indices=list(sparse.indices), values=list(sparse.values))
            requests.append(
                models.QueryRequest(
                    query=vector, using=SPARSE, filter=flt, limit=limit, with_payload=payload
                )
            )
            kinds.append(SPARSE)
        found: dict[str, list[ScoredChunk]] = {DENSE: [], SPARSE: []}
        if requests:
            with _reaching_server():
                responses = self.client.query_batch_points(self.collection, requests=requests)
            for kind, response in zip(kinds, responses, strict=True):
                found[kind] = [_scored(point) for point in response.points]
        return found[DENSE], found[SPARSE]

    def payloads(self, chunk_ids: Sequence[str]) -> dict[str, Mapping[str, Any]]:
        if not chunk_ids:
            return {}
        with _reaching_server():
            records = self.client.retrieve(
                self.collection, ids=[point_id(c) for c in chunk_ids], with_payload=True
            )
        found = (dict(record.payload or {}) for record in records)
        return {str(payload["chunk_id"]): payload for payload in found}

    def count(self, where: IndexFilter | None = None) -> int:
        with _reaching_server():
            return self.client.count(self.collection, count_filter=_filter(where), exact=True).count

    def chunk_ids(self, doc_id: str) -> list[str]:
        flt = _filter(IndexFilter({"doc_id": [doc_id]}))
        ids: list[str] = []
        offset: Any = None
        while True:
            with _reaching_server():
                records, offset = self.client.scroll(
                    self.collection,
                    scroll_filter=flt,
                    limit=500,
                    offset=offset,
                    with_payload=["chunk_id"],
                )
            ids.extend(str((record.payload or {})["chunk_id"]) for record in records)
            if offset is None:
                return sorted(ids)

    def optimize(self) -> None:
        # The server builds its HNSW graphs in the background; nothing to trigger.
        return None

    def reset(self) -> None:
        with _reaching_server():
            self.client.delete_collection(self.collection)
            self._create()

    def close(self) -> None:
        self.client.close()


def _filter(where: IndexFilter | None) -> models.Filter | None:
    if where is None or where.is_empty():
        return None
    return models.Filter(
        must=[
            models.FieldCondition(key=key, match=models.MatchAny(any=list(values)))
            for key, values in where.any_of.items()
        ]
    )


def _scored(point: Any) -> ScoredChunk:
    payload = dict(point.payload or {})
    return ScoredChunk(
        chunk_id=str(payload.get("chunk_id", "")),
        doc_id=str(payload.get("doc_id", "")),
        version=int(payload.get("version", 0)),
        score=float(point.score),
        payload=payload,
    )


@contextmanager
def _reaching_server() -> Iterator[None]:
    """A call to the server: the server down or refusing is IndexUnavailable (the API answers
    503 with a clear message), never an unexplained 500."""
    try:
        yield
    except (ResponseHandlingException, UnexpectedResponse, ConnectionError) as exc:
        raise IndexUnavailable(f"The Qdrant server is unavailable: {exc}") from exc
