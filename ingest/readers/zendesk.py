"""Zendesk Guide (Help Center) articles, as ``GET /api/v2/help_center/articles.json`` lists them."""

from __future__ import annotations

from collections.abc import Iterator

from ingest.raw import RawDocument, Refusal
from ingest.readers.exports import ExportedArticle, articles_in, parse_json, read_articles
from ingest.readers.metadata import primary_language
from ingest.readers.source import Refused, SourceFile


def read(file: SourceFile) -> Iterator[RawDocument | Refusal]:
    yield from read_export(file, parse_json(file))


def read_export(file: SourceFile, data: object) -> Iterator[RawDocument | Refusal]:
    """``{"articles": [...]}`` or a bare list of articles; one document per published article."""
    articles = articles_in(data, "articles")
    yield from read_articles(file, articles, prefix="zendesk", document=_document)


def _document(article: ExportedArticle) -> RawDocument:
    if article.flag("draft"):
        raise Refused("draft article")
    # Publishing in the help center is the team's approval. An article shown only to a user
    # segment (agents, say) is internal; anything restricted must not be offered as public.
    segments = article.fields.get("user_segment_ids")
    restricted = article.fields.get("user_segment_id") is not None or bool(segments)
    return RawDocument(
        doc_id=article.doc_id,
        title=article.text("title", required=True).strip(),
        body=article.markdown("body"),
        path=article.path,
        format="zendesk",
        source="internal" if restricted else "public",
        approved=True,
        audience="agent" if restricted else "customer",
        language=primary_language(article.text("locale")) or "en",
        url=article.text("html_url"),
        tags=article.words("label_names"),
    )
