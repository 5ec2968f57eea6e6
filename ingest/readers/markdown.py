"""Markdown files with optional YAML front matter between ``---`` fences."""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml

from ingest.plain import plain_text
from ingest.raw import RawDocument, Refusal
from ingest.readers.metadata import MetadataError, doc_id_from_path, parse_metadata
from ingest.readers.source import Refused, SourceFile

# The opening fence must be the very first line; Jekyll and Hugo also close with "...".
_OPENING = re.compile(r"---[ \t]*\n")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.MULTILINE)
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING = re.compile(r"^#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")


def read(file: SourceFile) -> Iterator[RawDocument | Refusal]:
    """One document per file; the front matter's keys override what is derived from the file."""
    values, body = split_front_matter(file.text)
    try:
        metadata = parse_metadata(values)
        doc_id = metadata.doc_id or doc_id_from_path(file.path)
    except MetadataError as exc:
        raise Refused(f"front matter: {exc}") from exc
    title = first_heading(body) or file.stem
    yield metadata.document(
        doc_id=doc_id, title=title, body=body, path=file.path, format="markdown"
    )


def split_front_matter(text: str) -> tuple[dict[object, object], str]:
    """The front matter as a mapping (empty when there is none) and the text after it."""
    opening = _OPENING.match(text)
    if not opening:
        return {}, text.strip()
    closing = _CLOSING.search(text, opening.end())
    if not closing:
        raise Refused("front matter is not closed: add a line holding only --- after it")
    try:
        values = yaml.safe_load(text[opening.end() : closing.start()])
    except yaml.YAMLError as exc:
        raise Refused(f"front matter is not valid YAML: {_yaml_problem(exc)}") from exc
    except ValueError as exc:  # a well-formed but impossible date, such as 2027-02-30
        raise Refused(f"front matter is not valid YAML: {exc}") from exc
    except RecursionError as exc:
        raise Refused("front matter is not valid YAML: nested too deeply") from exc
    if values is None:
        return {}, text[closing.end() :].strip()
    if not isinstance(values, dict):
        kind = "a list" if isinstance(values, list) else f"the {type(values).__name__} {values!r}"
        raise Refused(f"front matter must be a mapping of keys to values, not {kind}"[:120])
    return values, text[closing.end() :].strip()


def first_heading(body: str) -> str:
    """The text of the first ``# `` heading outside fenced code, or ``""``."""
    fence = ""
    for line in body.splitlines():
        opened = _FENCE.match(line)
        if opened and (not fence or opened.group(1) == fence):
            fence = "" if fence else opened.group(1)
            continue
        heading = None if fence else _HEADING.match(line)
        if heading:
            return plain_text(heading.group(1)).strip()
    return ""


def _yaml_problem(exc: yaml.YAMLError) -> str:
    # The full message quotes the offending text over several lines; one line is enough here.
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        line = exc.problem_mark.line + 2  # counted in the file, whose first line is the fence
        return f"{exc.problem or exc.context or 'unreadable'} (line {line})"
    return str(exc).splitlines()[0]
