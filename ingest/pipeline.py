"""The ingestion pipeline: read → gate → redact → chunk → embed → SQL → index.

Idempotent (a document whose content hash is unchanged is skipped before redaction), incremental
(a changed document gets a new version; its old points are deleted only after the new ones are
in and SQL points at them), and resumable: SQL is written first, so after a crash the next run
finds ``pending`` versions (re-upserted from their stored chunks; point ids are deterministic,
so nothing is duplicated) and ``retired`` ones (whose old points it deletes).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ingest.chunking import Chunker, dense_text, sparse_text
from ingest.gate import admit
from ingest.raw import RawDocument, Refusal
from ingest.readers import read_path
from kb.audit import AuditLog
from kb.database import Database, utcnow
from kb.documents import (
    ACTIVE,
    DELETED,
    LIVE,
    PENDING,
    RETIRED,
    SUPERSEDED,
    WITHDRAWN,
    Chunk,
    Document,
    DocumentStore,
    DocumentVersion,
    IngestRun,
)
from kb.errors import Conflict, InvalidInput
from kb.index.encoders import Bm25Encoder, DenseEncoder
from kb.index.interfaces import ChunkPoint, VectorIndex

log = logging.getLogger(__name__)
BATCH = 32
# A run that writes this many points leaves Qdrant Edge with large segments that have no HNSW
# graph yet, and every search scans them until they are optimized; so the run builds the graph
# itself rather than leaving it to the first queries (what it costs: docs/benchmarks.md, Drafts).
OPTIMIZE_AFTER = 10_000
Progress = Callable[[int], object]  # called with the documents read so far


class Redacted(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def counts(self) -> Mapping[str, int]: ...


class TextRedactor(Protocol):
    """What the pipeline needs of ``kb.redaction.Redactor`` (one NER pass per batch)."""

    def redact_many(self, texts: Sequence[str]) -> Sequence[Redacted]: ...


@dataclass
class IngestReport:
    """What a run did; ``to_json`` is the CLI's ``--json`` object."""

    seen: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    refused: int = 0
    deleted: int = 0
    withdrawn: int = 0
    repaired: int = 0
    chunks: int = 0
    pii: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    optimize_seconds: float = 0.0  # of ``seconds``, building the index (large runs only)
    refusals: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "seen": self.seen,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "refused": self.refused,
            "chunks": self.chunks,
            "pii": dict(sorted(self.pii.items())),
            "seconds": round(self.seconds, 3),
            "optimize_seconds": round(self.optimize_seconds, 3),
            "deleted": self.deleted,
            "withdrawn": self.withdrawn,
            "repaired": self.repaired,
            "refusals": self.refusals,
        }


@dataclass(frozen=True)
class Provenance:
    """An admin's explicit statement for files without front matter (audited)."""

    source: str | None = None
    approved: bool | None = None


@dataclass
class _Prepared:
    doc: RawDocument
    content_hash: str
    source_hash: str = ""  # see DocumentVersion.source_hash
    title: str = ""
    body: str = ""
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Row:
    """A stored chunk with what the index needs to know about it."""

    chunk_id: str
    doc_id: str
    version: int
    title: str
    heading: str
    text: str
    payload: dict[str, Any]


class IngestPipeline:
    """Runs ingestion jobs against one database and one index (one job at a time)."""

    def __init__(
        self,
        database: Database,
        index: VectorIndex,
        *,
        redactor: TextRedactor,
        encoder: DenseEncoder,
        max_document_bytes: int = 10 * 1024 * 1024,
    ) -> None:
        self.database = database
        self.index = index
        self.redactor = redactor
        self.encoder = encoder
        self.bm25 = Bm25Encoder()
        self.chunker = Chunker()
        self.max_document_bytes = max_document_bytes
        self._lock = threading.Lock()

    # --- a job ---------------------------------------------------------------------------------

    def ingest(
        self,
        root: Path,
        *,
        actor: str,
        format: str = "auto",
        provenance: Provenance | None = None,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Ingest a file or folder; documents of this root that are gone are removed."""
        if not self._lock.acquire(blocking=False):
            raise Conflict("Another ingestion is running; wait for it to finish.")
        try:
            return self._ingest(root, actor, format, provenance or Provenance(), progress)
        finally:
            self._lock.release()

    def _ingest(
        self,
        root: Path,
        actor: str,
        format: str,
        provenance: Provenance,
        progress: Progress | None,
    ) -> IngestReport:
        started = time.perf_counter()
        origin = str(root.resolve())
        report = IngestReport()
        run_id = self._start_run(origin, format, actor)
        try:
            report.repaired = self.repair()
            seen_ids: set[str] = set()
            batch: list[RawDocument] = []
            for item in read_path(root, format=format, max_bytes=self.max_document_bytes):
                report.seen += 1
                admitted = (
                    item
                    if isinstance(item, Refusal)
                    else admit(
                        item,
                        declared_source=provenance.source,
                        declared_approved=provenance.approved,
                    )
                )
                if isinstance(admitted, Refusal):
                    # The gate's refusal of a known document means it lost its approval: it
                    # leaves search now. A reader's refusal (unreadable, duplicate id) does not
                    # withdraw; an unreadable document is simply not seen, and the end of the
                    # run deletes what was not seen.
                    self._refuse(admitted, report, withdraw=not isinstance(item, Refusal))
                    continue
                seen_ids.add(admitted.doc_id)
                batch.append(admitted)
                if len(batch) >= BATCH:
                    self._process(batch, origin, actor, report)
                    batch = []
                    self._progress(run_id, report, progress)
            self._process(batch, origin, actor, report)
            report.deleted = self._delete_missing(origin, seen_ids)
            if report.chunks >= OPTIMIZE_AFTER:
                optimizing = time.perf_counter()
                self.index.optimize()
                report.optimize_seconds = time.perf_counter() - optimizing
            report.seconds = time.perf_counter() - started
            self._finish_run(run_id, report, actor, provenance)
        except BaseException as exc:
            self._fail_run(run_id, exc)
            raise
        self._progress(run_id, report, progress)
        return report

    def publish(
        self,
        raw: RawDocument,
        *,
        actor: str,
        note: str = "",
        origin: str | None = None,
        source_hash: str = "",
    ) -> IngestReport:
        """Ingest one reviewed document now, through the gate and the redactor again, leaving
        the rest of its origin alone (knowledge refresh). ``origin`` defaults to the document's
        current one; ``source_hash``, when given, is what later re-ingests of its source compare
        against (``DocumentVersion.source_hash``). A gate refusal raises InvalidInput, another
        running job Conflict."""
        if not self._lock.acquire(blocking=False):
            raise Conflict("Another ingestion is running; wait for it to finish.")
        try:
            admitted = admit(raw)
            if isinstance(admitted, Refusal):
                raise InvalidInput(
                    f"{raw.doc_id} cannot be published: {admitted.reason}",
                    {"body": [admitted.reason]},
                )
            with self.database.transaction() as session:
                known = DocumentStore(session).get(raw.doc_id)
                where = origin if origin is not None else (known.origin if known else "")
            report = IngestReport(seen=1)
            started = time.perf_counter()
            self._process([admitted], where, actor, report, note=note, source_hash=source_hash)
            report.seconds = time.perf_counter() - started
            with self.database.transaction() as session:
                AuditLog(session).append(
                    actor=actor,
                    action="ingest.publish",
                    subject=f"document:{raw.doc_id}",
                    data={"origin": where, "note": note, **_counts(report)},
                )
            return report
        finally:
            self._lock.release()

    def _refuse(self, refusal: Refusal, report: IngestReport, *, withdraw: bool) -> None:
        report.refused += 1
        report.refusals.append({"path": refusal.path, "reason": refusal.reason})
        if withdraw and refusal.doc_id and self._remove(refusal.doc_id, WITHDRAWN):
            report.withdrawn += 1

    # --- one batch -----------------------------------------------------------------------------

    def _process(
        self,
        docs: list[RawDocument],
        origin: str,
        actor: str,
        report: IngestReport,
        *,
        note: str = "",
        source_hash: str = "",
    ) -> None:
        if not docs:
            return
        prepared = [_Prepared(doc, content_hash(doc), source_hash) for doc in docs]
        with self.database.transaction() as session:
            documents = DocumentStore(session).by_ids([p.doc.doc_id for p in prepared])
            # doc_id → (is it live and searchable, the live version's content hash)
            known = {
                doc_id: (row.state == ACTIVE and row.live_version is not None, row.content_hash)
                for doc_id, row in documents.items()
            }
        todo = [p for p in prepared if known.get(p.doc.doc_id) != (True, p.content_hash)]
        report.unchanged += len(prepared) - len(todo)
        if not todo:
            return
        self._redact(todo)
        rows, version_ids = self._write_pending(todo, origin, actor, note)
        self.index.upsert(self._points(rows))
        self._go_live(version_ids)
        for p in todo:
            existed = known.get(p.doc.doc_id, (False, ""))[0]
            report.changed += int(existed)
            report.new += int(not existed)
            report.pii.update(p.counts)
        report.chunks += len(rows)

    def _redact(self, todo: list[_Prepared]) -> None:
        # Title and body are redacted as one text so a name gets one placeholder in both.
        texts = [f"{' '.join(p.doc.title.split())}\n\n{p.doc.body}" for p in todo]
        for p, redacted in zip(todo, self.redactor.redact_many(texts), strict=True):
            title, separator, body = redacted.text.partition("\n\n")
            if not separator or "\n" in title:
                # A replacement ran across the title/body boundary; redact the two apart rather
                # than lose the body (numbering is then per field, the text is still safe).
                apart = self.redactor.redact_many([p.doc.title, p.doc.body])
                title, body = apart[0].text, apart[1].text
                redacted = apart[1]
            p.title, p.body, p.counts = title, body, dict(redacted.counts)

    def _write_pending(
        self, todo: list[_Prepared], origin: str, actor: str, note: str = ""
    ) -> tuple[list[_Row], list[int]]:
        """Store each document's new version and chunks as ``pending``, in one transaction."""
        rows: list[_Row] = []
        version_ids: list[int] = []
        with self.database.transaction() as session:
            store = DocumentStore(session)
            for p in todo:
                document = store.get(p.doc.doc_id) or Document(doc_id=p.doc.doc_id)
                _describe(document, p, origin)
                session.add(document)
                session.flush()
                version = DocumentVersion(
                    document_id=document.id,
                    version=store.next_version(document),
                    content_hash=p.content_hash,
                    source_hash=p.source_hash,
                    title=p.title,
                    body=p.body,
                    redactions=json.dumps(p.counts, sort_keys=True),
                    status=PENDING,
                    created_by=actor,
                    note=note,
                )
                for piece in self.chunker.split(p.title, p.body):
                    version.chunks.append(
                        Chunk(
                            chunk_id=f"{document.doc_id}:{version.version}:{piece.position}",
                            position=piece.position,
                            heading=piece.heading,
                            text=piece.text,
                        )
                    )
                session.add(version)
                session.flush()
                version_ids.append(version.id)
                rows.extend(_rows(document, version))
        return rows, version_ids

    def _points(self, rows: list[_Row]) -> list[ChunkPoint]:
        if not rows:
            return []
        dense = self.encoder.encode([dense_text(r.title, r.heading, r.text) for r in rows])
        return [
            ChunkPoint(
                chunk_id=row.chunk_id,
                doc_id=row.doc_id,
                version=row.version,
                payload=row.payload,
                dense=vector.tolist(),
                sparse=self.bm25.document(sparse_text(row.title, row.heading, row.text)),
            )
            for row, vector in zip(rows, dense, strict=True)
        ]

    def _go_live(self, version_ids: Iterable[int]) -> None:
        """Point SQL at the new versions; retire the old ones, then delete their points."""
        retired: list[tuple[str, int]] = []
        with self.database.transaction() as session:
            for version_id in version_ids:
                version = session.get(DocumentVersion, version_id)
                assert version is not None
                document = version.document
                for old in document.versions:
                    if old.status == LIVE:
                        old.status = RETIRED
                version.status = LIVE
                document.live_version = version.version
                # Set as the version goes live (also when an interrupted run is repaired).
                document.content_hash = version.source_hash or version.content_hash
                document.state = ACTIVE
                document.updated_at = utcnow()
                retired.append((document.doc_id, version.version))
        self._purge(retired)

    def _purge(self, keep: Sequence[tuple[str, int | None]]) -> None:
        """Delete the points of every version but the kept one, then mark retired ones done."""
        for doc_id, version in keep:
            self.index.delete_document(doc_id, keep_version=version)
        with self.database.transaction() as session:
            store = DocumentStore(session)
            documents = store.by_ids([doc_id for doc_id, _ in keep])
            for document in documents.values():
                for old in document.versions:
                    if old.status == RETIRED:
                        old.status = SUPERSEDED

    # --- removal and repair --------------------------------------------------------------------

    def _remove(self, doc_id: str, state: str) -> bool:
        """Take an active document out of search (deleted at its source, or no longer approved)."""
        with self.database.transaction() as session:
            document = DocumentStore(session).get(doc_id)
            if document is None or document.state != ACTIVE:
                return False
            document.state = state
            document.live_version = None
            document.updated_at = utcnow()
            for old in document.versions:
                if old.status == LIVE:
                    old.status = RETIRED
        self._purge([(doc_id, None)])
        return True

    def _delete_missing(self, origin: str, seen: set[str]) -> int:
        with self.database.transaction() as session:
            gone = [
                d.doc_id
                for d in DocumentStore(session).active_in_origin(origin)
                if d.doc_id not in seen
            ]
        return sum(self._remove(doc_id, DELETED) for doc_id in gone)

    def repair(self) -> int:
        """Finish what an interrupted run left: index ``pending`` versions, purge ``retired``."""
        with self.database.transaction() as session:
            store = DocumentStore(session)
            pending = store.versions_with_status(PENDING)
            pending_ids = [v.id for v in pending]
            rows = [row for v in pending for row in _rows(v.document, v)]
            retired = [
                (v.document.doc_id, v.document.live_version)
                for v in store.versions_with_status(RETIRED)
            ]
        if pending_ids:
            log.info("repairing %d interrupted document versions", len(pending_ids))
            self.index.upsert(self._points(rows))
            self._go_live(pending_ids)
        if retired:
            self._purge(retired)
        return len(pending_ids) + len(retired)

    def rebuild(self, *, progress: Progress | None = None) -> int:
        """Recreate the index from the live versions in SQL; returns the chunk count."""
        self.index.reset()
        total = 0
        with self.database.transaction() as session:
            version_ids = [
                v.id
                for v in DocumentStore(session).versions_with_status(LIVE)
                if v.document.state == ACTIVE
            ]
        for start in range(0, len(version_ids), BATCH):
            with self.database.transaction() as session:
                rows = []
                for version_id in version_ids[start : start + BATCH]:
                    version = session.get(DocumentVersion, version_id)
                    assert version is not None
                    rows.extend(_rows(version.document, version))
            self.index.upsert(self._points(rows))
            total += len(rows)
            if progress:
                progress(min(start + BATCH, len(version_ids)))
        self.index.optimize()
        return total

    # --- run bookkeeping -------------------------------------------------------------------------

    def _start_run(self, origin: str, format: str, actor: str) -> int:
        with self.database.transaction() as session:
            run = IngestRun(origin=origin, format=format, actor=actor)
            session.add(run)
            session.flush()
            return run.id

    def _progress(self, run_id: int, report: IngestReport, progress: Progress | None) -> None:
        with self.database.transaction() as session:
            run = session.get(IngestRun, run_id)
            if run is not None:
                run.done = report.seen
                run.report = json.dumps(report.to_json())
        if progress:
            progress(report.seen)

    def _finish_run(
        self, run_id: int, report: IngestReport, actor: str, provenance: Provenance
    ) -> None:
        with self.database.transaction() as session:
            run = session.get(IngestRun, run_id)
            assert run is not None
            run.status, run.finished_at = "done", utcnow()
            run.done = report.seen
            run.report = json.dumps(report.to_json())
            summary = {k: v for k, v in report.to_json().items() if k != "refusals"}
            if provenance.source is not None or provenance.approved is not None:
                # Declaring provenance for files that carry none is an admin's explicit act.
                summary["declared"] = {"source": provenance.source, "approved": provenance.approved}
            AuditLog(session).append(
                actor=actor,
                action="ingest.run",
                subject=f"ingest:{run.id}",
                data={"origin": run.origin, **summary},
            )

    def _fail_run(self, run_id: int, exc: BaseException) -> None:
        try:
            with self.database.transaction() as session:
                run = session.get(IngestRun, run_id)
                if run is not None:
                    run.status, run.finished_at = "failed", utcnow()
                    run.error = f"{type(exc).__name__}: {exc}"[:2000]
        except Exception:  # the original error matters more than this bookkeeping
            log.exception("could not record the failed ingest run %s", run_id)


def content_hash(doc: RawDocument) -> str:
    """A hash of everything that ends up in the index, taken before redaction (so an unchanged
    document costs a read and a hash, not a redaction)."""
    fields = {
        "title": doc.title,
        "body": doc.body,
        "source": doc.source,
        "audience": doc.audience,
        "product": doc.product,
        "owner": doc.owner,
        "language": doc.language,
        "url": doc.url,
        "path": doc.path,
        "tags": list(doc.tags),
        "review_by": doc.review_by.isoformat() if doc.review_by else None,
    }
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode("utf-8")).hexdigest()


def _counts(report: IngestReport) -> dict[str, Any]:
    return {k: v for k, v in report.to_json().items() if k != "refusals"}


def _describe(document: Document, p: _Prepared, origin: str) -> None:
    doc = p.doc
    document.title = p.title
    document.source = doc.source or "internal"
    document.audience = doc.audience
    document.product = doc.product
    document.owner = doc.owner
    document.review_by = doc.review_by
    document.language = doc.language
    document.url = doc.url
    document.path = doc.path
    document.format = doc.format
    document.origin = origin
    document.updated_at = utcnow()


def _rows(document: Document, version: DocumentVersion) -> list[_Row]:
    return [
        _Row(
            chunk_id=chunk.chunk_id,
            doc_id=document.doc_id,
            version=version.version,
            title=version.title,
            heading=chunk.heading,
            text=chunk.text,
            payload={
                "title": version.title,
                "heading": chunk.heading,
                "text": chunk.text,
                "position": chunk.position,
                "url": document.url,
                "path": document.path,
                "source": document.source,
                "visibility": document.visibility,
                "audience": document.audience,
                "product": document.product,
                "language": document.language,
            },
        )
        for chunk in version.chunks
    ]
