"""What a reader produces: a raw document (not yet gated or redacted) or a refusal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class RawDocument:
    """One document as read from its source, before the approval gate and redaction.

    ``source`` and ``approved`` are None when the source says nothing about provenance (a plain
    text file, say); the CLI's ``--source``/``--approved`` fill them in, or the gate refuses.
    """

    doc_id: str
    title: str
    body: str  # Markdown (HTML sources are converted); front matter removed
    path: str  # where it came from: a path relative to the ingest root, or "export.json#123"
    format: str  # markdown | html | text | zendesk | intercom
    source: str | None = None  # "public" | "internal"
    approved: bool | None = None
    audience: str = "customer"
    product: str = ""
    owner: str = ""
    review_by: date | None = None
    language: str = "en"
    url: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Refusal:
    """A document (or file) that was not ingested, and why, in words a person can act on."""

    path: str
    reason: str
    doc_id: str = ""
