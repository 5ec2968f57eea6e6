"""``read_path``: walk an ingest root, pick a reader for each file, refuse what cannot be read.

Every problem with a file or a document becomes a ``Refusal`` and the batch goes on; only a
mistake in the call itself (an unknown format, a root that does not exist) raises.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ingest.raw import RawDocument, Refusal
from ingest.readers import html, intercom, markdown, text, zendesk
from ingest.readers.exports import export_format, parse_json
from ingest.readers.source import DEFAULT_MAX_BYTES, Reader, Refused, SourceFile, load_source
from kb.errors import InvalidInput, NotFound


def _read_any_export(file: SourceFile) -> Iterator[RawDocument | Refusal]:
    data = parse_json(file)
    kind = export_format(data)
    if kind is None:
        raise Refused("unrecognised JSON export (expected Zendesk Guide or Intercom articles)")
    yield from EXPORTS[kind](file, data)


READERS: dict[str, Reader] = {
    "markdown": markdown.read,
    "html": html.read,
    "text": text.read,
    "zendesk": zendesk.read,
    "intercom": intercom.read,
}
FORMATS = ("auto", *READERS)
EXPORTS = {"zendesk": zendesk.read_export, "intercom": intercom.read_export}
# What "auto" reads each extension as; a .json file is sniffed to tell the exports apart.
EXTENSIONS: dict[str, Reader] = {
    ".md": markdown.read,
    ".markdown": markdown.read,
    ".html": html.read,
    ".htm": html.read,
    ".txt": text.read,
    ".json": _read_any_export,
}


def read_path(
    root: Path, *, format: str = "auto", max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[RawDocument | Refusal]:
    """Read a file, or every file under a folder (recursively, sorted, hidden ones skipped).

    ``format`` is ``auto`` (chosen by extension) or one format applied to every file. Documents
    come out in path order; a document whose id was already read in this run is refused.
    """
    if format not in FORMATS:
        raise InvalidInput(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    if max_bytes < 1:
        raise InvalidInput(f"max_bytes must be positive, not {max_bytes}")
    if not root.exists():
        raise NotFound(f"{root} does not exist")
    reader = READERS.get(format)
    return _read_all(root, reader, max_bytes)


def _read_all(root: Path, reader: Reader | None, max_bytes: int) -> Iterator[RawDocument | Refusal]:
    first_seen: dict[str, str] = {}  # doc id → the path it was read from
    for found in _walk(root):
        if isinstance(found, Refusal):
            yield found
            continue
        file, relative = found
        for item in _read_file(file, relative, reader, max_bytes):
            yield _checked(item, first_seen)


def _read_file(
    file: Path, relative: str, reader: Reader | None, max_bytes: int
) -> Iterator[RawDocument | Refusal]:
    suffix = file.suffix.lower()
    reader = reader or EXTENSIONS.get(suffix)
    if reader is None:
        reason = f"unsupported file type {suffix or '(no extension)'}"
        yield Refusal(relative, f"{reason} (Tandem reads {', '.join(EXTENSIONS)})")
        return
    try:
        yield from reader(load_source(file, relative, max_bytes=max_bytes))
    except Refused as exc:
        yield Refusal(relative, str(exc))


def _checked(item: RawDocument | Refusal, first_seen: dict[str, str]) -> RawDocument | Refusal:
    if isinstance(item, Refusal):
        return item
    if not item.body.strip():
        return Refusal(item.path, "no text", doc_id=item.doc_id)
    if item.doc_id in first_seen:
        reason = f"duplicate id {item.doc_id}, also in {first_seen[item.doc_id]}"
        return Refusal(item.path, reason, doc_id=item.doc_id)
    first_seen[item.doc_id] = item.path
    return item


def _walk(root: Path) -> Iterator[tuple[Path, str] | Refusal]:
    """Each file to read with its posix path relative to ``root``, or why it is not read."""
    if not root.is_dir():
        yield root, root.name
        return
    yield from _walk_folder(root, root.resolve(), "")


def _walk_folder(folder: Path, base: Path, prefix: str) -> Iterator[tuple[Path, str] | Refusal]:
    try:
        entries = sorted(folder.iterdir(), key=lambda entry: entry.name)
    except OSError as exc:
        yield Refusal(prefix or ".", f"folder cannot be read: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):  # .git, .DS_Store, editors' swap files
            continue
        relative = prefix + entry.name
        if entry.is_symlink():
            refusal = _refuse_link(entry, base, relative)
            if refusal:
                yield refusal
                continue
        if entry.is_dir():
            yield from _walk_folder(entry, base, relative + "/")
        else:
            yield entry, relative


def _refuse_link(link: Path, base: Path, relative: str) -> Refusal | None:
    """Why a symbolic link is not followed, or None when it points at a file inside the root."""
    try:
        target = link.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a loop of links
        return Refusal(relative, "symbolic link that cannot be resolved (does it point at itself?)")
    if not target.is_relative_to(base):
        # Ingesting whatever a link reaches would let one file pull in /etc or a home folder.
        return Refusal(relative, f"symbolic link to {target}, outside the ingest folder")
    if target.is_dir():
        # Its files are read where they are; following the link would read them twice.
        return Refusal(relative, "symbolic link to a folder inside the ingest folder, not followed")
    return None
