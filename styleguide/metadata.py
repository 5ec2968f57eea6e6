"""Writing a version's number, author and note into the card's YAML without losing its comments.

The card is a file teams review like code, so the service edits only the top-level lines it owns
(``version:``, ``author:``, ``note:``), leaving every comment and the layout as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

_TOP_LEVEL_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


def stamp(text: str, values: Mapping[str, object]) -> str:
    """``text`` with each top-level ``key: value`` set (replaced, or added near the top)."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    missing: list[str] = []
    for key, value in values.items():
        rendered = f"{key}: {_scalar(value)}\n"
        index = _find_key(lines, key)
        if index is None:
            missing.append(rendered)
            continue
        end = _value_end(lines, index)
        lines[index:end] = [rendered]
    if missing:
        at = _after_leading_comments(lines)
        lines[at:at] = missing
    return "".join(lines)


def _scalar(value: object) -> str:
    # A JSON string is a valid YAML double-quoted scalar, whatever the note contains.
    return str(value) if isinstance(value, int) else json.dumps(str(value), ensure_ascii=False)


def _find_key(lines: list[str], key: str) -> int | None:
    for index, line in enumerate(lines):
        match = _TOP_LEVEL_KEY.match(line)
        if match and match.group(1) == key:
            return index
    return None


def _value_end(lines: list[str], index: int) -> int:
    """The line after a top-level value, which may continue on indented lines (``>-`` blocks)."""
    end = index + 1
    while end < len(lines) and (lines[end][:1] in (" ", "\t") or not lines[end].strip()):
        if not lines[end].strip() and not _continues(lines, end):
            break
        end += 1
    return end


def _continues(lines: list[str], blank: int) -> bool:
    following = next((line for line in lines[blank:] if line.strip()), "")
    return following[:1] in (" ", "\t")


def _after_leading_comments(lines: list[str]) -> int:
    at = 0
    while at < len(lines) and (lines[at].startswith("#") or not lines[at].strip()):
        at += 1
    return at
