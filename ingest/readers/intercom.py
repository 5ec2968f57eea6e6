"""Intercom Help Center articles, as the ``GET /articles`` list returns them."""

from __future__ import annotations

from collections.abc import Iterator

from ingest.raw import RawDocument, Refusal
from ingest.readers.exports import ExportedArticle, articles_in, parse_json, read_articles
from ingest.readers.metadata import primary_language
from ingest.readers.source import Refused, SourceFile


def read(file: SourceFile) -> Iterator[RawDocument | Refusal]:
    yield from read_export(file, parse_json(file))


def read_export(file: SourceFile, data: object) -> Iterator[RawDocument | Refusal]:
    """``{"type": "list", "data": [...]}`` or a bare list; one document per published article."""
    articles = articles_in(data, "data")
    yield from read_articles(file, articles, prefix="intercom", document=_document)


def _document(article: ExportedArticle) -> RawDocument:
    kind = article.fields.get("type", "article")
    if kind != "article":
        raise Refused(f"not an article (type {kind})"[:120])
    state = article.text("state", required=True)
    if state == "draft":
        raise Refused("draft article")
    if state != "published":
        raise Refused(f"state must be published or draft, not {state!r}"[:120])
    # The description is the summary customers see under the title; it belongs to the text.
    description = article.text("description").strip()
    body = article.markdown("body")
    return RawDocument(
        doc_id=article.doc_id,
        title=article.text("title", required=True).strip(),
        body=f"{description}\n\n{body}".strip() if description else body,
        path=article.path,
        format="intercom",
        source="public",  # published articles are public in the Intercom Help Center
        approved=True,
        language=primary_language(article.text("default_locale")) or "en",
        url=article.text("url"),
    )
