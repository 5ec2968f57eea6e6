"""What the Zendesk and Intercom article exports share: JSON, the article list, typed fields."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from ingest.raw import RawDocument, Refusal
from ingest.readers.html_to_markdown import convert_html
from ingest.readers.source import Refused, SourceFile


def parse_json(file: SourceFile) -> object:
    try:
        return json.loads(file.text)
    except json.JSONDecodeError as exc:
        raise Refused(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
    except RecursionError as exc:
        raise Refused("not valid JSON: nested too deeply") from exc


def export_format(data: object) -> str | None:
    """``zendesk`` or ``intercom`` when ``data`` looks like that export, else None."""
    if isinstance(data, dict):
        if "articles" in data:
            return "zendesk"
        return "intercom" if data.get("type") == "list" else None
    if isinstance(data, list):
        objects = [item for item in data if isinstance(item, dict)]
        if any("html_url" in item or "section_id" in item for item in objects):
            return "zendesk"
        if any(item.get("type") == "article" for item in objects):
            return "intercom"
    return None


def articles_in(data: object, key: str) -> list[object]:
    """The articles of an export: the list under ``key`` in the API's envelope, or a bare list."""
    if isinstance(data, dict) and isinstance(data.get(key), list):
        return list(data[key])
    if isinstance(data, list):
        return data
    raise Refused(f'not an article export: expected a list under "{key}", or a list of articles')


@dataclass(frozen=True)
class ExportedArticle:
    """One article object of an export, with field getters that refuse wrong types by name."""

    fields: Mapping[str, object]
    doc_id: str
    path: str  # "export.json#123"

    def text(self, key: str, *, required: bool = False) -> str:
        value = self.fields.get(key)
        if isinstance(value, str) and (value.strip() or not required):
            return value
        if value is None or value == "":
            if required:
                raise Refused(f"{key} is missing")
            return ""
        raise Refused(f"{key} must be text, not {type(value).__name__} {value!r}"[:120])

    def flag(self, key: str) -> bool:
        value = self.fields.get(key, False)
        if isinstance(value, bool):
            return value
        raise Refused(f"{key} must be true or false, not {value!r}"[:120])

    def words(self, key: str) -> tuple[str, ...]:
        value = self.fields.get(key) or []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise Refused(f"{key} must be a list of words")
        return tuple(dict.fromkeys(item.strip() for item in value if item.strip()))

    def markdown(self, key: str) -> str:
        """An HTML field converted as the HTML reader converts pages."""
        return convert_html(self.text(key)).body


def read_articles(
    file: SourceFile,
    articles: list[object],
    *,
    prefix: str,
    document: Callable[[ExportedArticle], RawDocument],
) -> Iterator[RawDocument | Refusal]:
    """Each article as a document, or a refusal for it alone: one bad article spoils nothing."""
    if not articles:
        yield Refusal(file.path, "the export holds no articles")
    for position, item in enumerate(articles, start=1):
        fields = item if isinstance(item, dict) else {}
        article_id = fields.get("id")
        if isinstance(article_id, bool) or not isinstance(article_id, int | str) or not article_id:
            yield Refusal(f"{file.path}#item-{position}", "not an article with an id")
            continue
        article = ExportedArticle(fields, f"{prefix}-{article_id}", f"{file.path}#{article_id}")
        try:
            yield document(article)
        except Refused as exc:
            yield Refusal(article.path, str(exc), doc_id=article.doc_id)
