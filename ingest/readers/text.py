"""Plain text files: the first non-empty line is the title; provenance comes from the CLI."""

from __future__ import annotations

from collections.abc import Iterator

from ingest.raw import RawDocument, Refusal
from ingest.readers.metadata import MetadataError, doc_id_from_path
from ingest.readers.source import Refused, SourceFile


def read(file: SourceFile) -> Iterator[RawDocument | Refusal]:
    """One document per file, with no provenance: ``--source``/``--approved`` fill it in."""
    body = file.text.strip()
    title = next((line.strip() for line in body.splitlines() if line.strip()), file.stem)
    try:
        doc_id = doc_id_from_path(file.path)
    except MetadataError as exc:
        raise Refused(str(exc)) from exc
    yield RawDocument(doc_id=doc_id, title=title, body=body, path=file.path, format="text")
