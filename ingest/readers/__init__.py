"""Document readers: Markdown, HTML, plain text, and Zendesk Guide / Intercom article exports.

``read_path(root)`` yields a ``RawDocument`` for each document it can read and a ``Refusal``,
with a reason a person can act on, for each file or document it cannot.
"""

from __future__ import annotations

from ingest.readers.dispatch import FORMATS, read_path
from ingest.readers.source import DEFAULT_MAX_BYTES

__all__ = ["DEFAULT_MAX_BYTES", "FORMATS", "read_path"]
