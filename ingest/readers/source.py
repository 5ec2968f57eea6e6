"""What every reader is given: one file's text, loaded safely, or the reason it cannot be."""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ingest.raw import RawDocument, Refusal
from kb.errors import TandemError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# Git and grep call a file binary when its first few KB hold a NUL byte; so do we.
BINARY_SNIFF_BYTES = 8192
_UNITS = (("MB", 1024 * 1024), ("KB", 1024))


class Refused(TandemError):
    """A file, or a document in it, is not ingested; the message says why, for a person to act on.

    Readers raise it; ``read_path`` turns it into a ``Refusal`` and carries on with the batch.
    """


@dataclass(frozen=True)
class SourceFile:
    """A decoded text file, with its path relative to the ingest root (posix style)."""

    path: str
    text: str

    @property
    def stem(self) -> str:
        return PurePosixPath(self.path).stem


Reader = Callable[[SourceFile], Iterator[RawDocument | Refusal]]


def load_source(file: Path, relative: str, *, max_bytes: int) -> SourceFile:
    """Read ``file`` as UTF-8 text with newlines normalised, or raise ``Refused``."""
    try:
        info = file.stat()
    except OSError as exc:
        raise Refused(f"cannot be read: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        # A FIFO or a device would block or never end; only regular files are documents.
        raise Refused("not a regular file")
    # Checked before reading, so an oversized file is never loaded into memory.
    if info.st_size > max_bytes:
        raise Refused(_too_large(info.st_size, max_bytes))
    try:
        with file.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may have grown since stat()
    except OSError as exc:
        raise Refused(f"cannot be read: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise Refused(_too_large(len(data), max_bytes))
    return SourceFile(relative, decode_text(data))


def decode_text(data: bytes) -> str:
    """UTF-8 text without a byte-order mark and with ``\\n`` newlines, or ``Refused``."""
    if b"\0" in data[:BINARY_SNIFF_BYTES]:
        raise Refused("binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from exc
    # The same content must hash the same whether it was saved on Windows or not.
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _too_large(size: int, limit: int) -> str:
    return f"larger than the {_size(limit).replace('.0 ', ' ')} limit ({_size(size)})"


def _size(n: int) -> str:
    for unit, scale in _UNITS:
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"
