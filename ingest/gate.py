"""The approval gate: only approved internal documents and public content may enter the index."""

from __future__ import annotations

from dataclasses import replace

from ingest.raw import RawDocument, Refusal

SOURCES = ("public", "internal")


def admit(
    doc: RawDocument,
    *,
    declared_source: str | None = None,
    declared_approved: bool | None = None,
) -> RawDocument | Refusal:
    """The document with its provenance settled, or a refusal saying what is missing.

    ``declared_*`` is an admin's explicit statement (CLI ``--source``/``--approved``) for files
    that carry no front matter; what a document says about itself always wins.
    """
    source = doc.source or declared_source
    approved = doc.approved if doc.approved is not None else declared_approved
    if source is None:
        return Refusal(
            doc.path,
            "no provenance: it does not say whether it is public or internal "
            "(add `source:` to its front matter, or declare it with --source)",
            doc.doc_id,
        )
    if source not in SOURCES:
        return Refusal(doc.path, f"unknown source {source!r} (use public or internal)", doc.doc_id)
    if approved is False:
        # Even public content: a page its owner marked unapproved is a draft, not knowledge.
        return Refusal(doc.path, "not approved (approved: false)", doc.doc_id)
    if source == "internal" and approved is not True:
        return Refusal(
            doc.path,
            "internal document without approval (needs `approved: true`, or --approved)",
            doc.doc_id,
        )
    return replace(doc, source=source, approved=True)
