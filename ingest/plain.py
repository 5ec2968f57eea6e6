"""Markdown markup that is not content, removed: for encoders, and for titles people read."""

from __future__ import annotations

import re

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"[^\"]*\"\s*>\s*</a>", re.IGNORECASE)


def plain_text(markdown: str) -> str:
    """Markdown without backslash escapes (``\\.`` → ``.``) and empty anchors (``<a name="x">
    </a>``, heading ids). The encoders should see words only; stored text keeps its Markdown."""
    return _ANCHOR.sub("", _ESCAPE.sub(r"\1", markdown))
