"""The metadata a document may declare about itself, checked and normalised once for all readers.

Markdown front matter and HTML ``tandem:*`` meta tags name the same keys, so both go through
``parse_metadata``: a wrong type becomes a ``MetadataError`` naming the key, never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePosixPath

from ingest.raw import RawDocument
from kb.errors import TandemError

SOURCES = ("public", "internal")
KEYS = (
    "id", "title", "source", "approved", "audience", "product", "owner",
    "review_by", "language", "url", "tags",
)  # fmt: skip
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


class MetadataError(TandemError):
    """A metadata value has the wrong type or form; ``key`` names it, ``problem`` says how."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key} {problem}")
        self.key = key
        self.problem = problem


@dataclass(frozen=True)
class Metadata:
    """What a document said about itself; None or empty where it said nothing."""

    doc_id: str | None = None
    title: str | None = None
    source: str | None = None
    approved: bool | None = None
    audience: str | None = None
    product: str = ""
    owner: str = ""
    review_by: date | None = None
    language: str | None = None
    url: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    def document(
        self, *, doc_id: str, title: str, body: str, path: str, format: str
    ) -> RawDocument:
        """A raw document carrying this metadata, with the reader's fallbacks for the rest."""
        return RawDocument(
            doc_id=self.doc_id or doc_id,
            title=self.title or title,
            body=body,
            path=path,
            format=format,
            source=self.source,
            approved=self.approved,
            audience=self.audience or "customer",
            product=self.product,
            owner=self.owner,
            review_by=self.review_by,
            language=self.language or "en",
            url=self.url,
            tags=self.tags,
        )


def parse_metadata(values: Mapping[object, object]) -> Metadata:
    """Check each known key's value; unknown keys (``layout``, ``date``…) are ignored."""
    given = {
        key: value
        for key, value in values.items()
        if isinstance(key, str) and key in KEYS and value is not None
    }
    source = _text(given, "source")
    if source is not None and source not in SOURCES:
        raise MetadataError("source", f"must be public or internal, not {_shown(source)}")
    language = _text(given, "language")
    return Metadata(
        doc_id=_text(given, "id"),
        title=_text(given, "title"),
        source=source,
        approved=_boolean(given, "approved"),
        audience=_text(given, "audience"),
        product=_text(given, "product") or "",
        owner=_text(given, "owner") or "",
        review_by=_date(given, "review_by"),
        language=primary_language(language) if language else None,
        url=_text(given, "url") or "",
        tags=_tags(given, "tags"),
    )


def primary_language(tag: str) -> str:
    """The language without its region (``en-us`` → ``en``, ``pt_BR`` → ``pt``), lowercased."""
    return re.split(r"[-_]", tag.strip(), maxsplit=1)[0].lower()


def doc_id_from_path(relative: str) -> str:
    """An id from a path under the ingest root: ``Billing/Late fees.md`` → ``billing-late-fees``."""
    path = PurePosixPath(relative)
    slug = slugify("-".join((*path.parent.parts, path.stem)))
    if not slug:
        raise MetadataError("id", "is missing and cannot be derived from the file name; add one")
    return slug


def slugify(text: str) -> str:
    # Accents are folded (é → e) so ids stay typeable; other scripts' letters are kept.
    decomposed = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[\W_]+", "-", folded).strip("-")


def _text(values: Mapping[str, object], key: str) -> str | None:
    value = values.get(key)
    if value is None:
        return None
    # YAML reads `id: 1042` or `product: 2024` as numbers; they are still meant as text.
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value).strip() or None
    raise MetadataError(key, f"must be text, not {_kind(value)}")


def _boolean(values: Mapping[str, object], key: str) -> bool | None:
    value = values.get(key)
    if value is None or isinstance(value, bool):
        return value
    # HTML meta tags can only hold strings, and people quote YAML booleans.
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise MetadataError(key, f"must be true or false, not {_shown(value)}")


def _date(values: Mapping[str, object], key: str) -> date | None:
    value = values.get(key)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise MetadataError(key, f"must be a date like 2027-01-31, not {_shown(value)}")


def _tags(values: Mapping[str, object], key: str) -> tuple[str, ...]:
    value = values.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[object] = list(value.split(","))
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise MetadataError(key, f"must be a list of words, not {_kind(value)}")
    tags: list[str] = []
    for item in items:
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            raise MetadataError(key, f"must be a list of words, not a list holding {_kind(item)}")
        tag = str(item).strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)


def _shown(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _kind(value: object) -> str:
    names = {dict: "a mapping", list: "a list", bool: "true/false", date: "a date"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    return f"a {type(value).__name__}"
