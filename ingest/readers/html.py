"""HTML pages: converted to Markdown-ish text, with provenance from ``tandem:*`` meta tags."""

from __future__ import annotations

from collections.abc import Iterator

from ingest.raw import RawDocument, Refusal
from ingest.readers.html_to_markdown import convert_html
from ingest.readers.metadata import MetadataError, doc_id_from_path, parse_metadata
from ingest.readers.source import Refused, SourceFile


def read(file: SourceFile) -> Iterator[RawDocument | Refusal]:
    """One document per page, e.g. ``<meta name="tandem:approved" content="true">``."""
    page = convert_html(file.text)
    # The page's own lang and canonical link are defaults; tandem:* meta tags say it explicitly.
    values: dict[object, object] = {"language": page.language or None, "url": page.canonical_url}
    values.update(page.meta)
    try:
        metadata = parse_metadata(values)
        doc_id = metadata.doc_id or doc_id_from_path(file.path)
    except MetadataError as exc:
        raise Refused(f'<meta name="tandem:{exc.key}">: {exc.problem}') from exc
    title = page.title or page.first_heading or file.stem
    yield metadata.document(
        doc_id=doc_id, title=title, body=page.body, path=file.path, format="html"
    )
