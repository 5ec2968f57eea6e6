"""Side-by-side diffs of an article, for the proposal page and the API."""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass
from typing import Any

EQUAL, REPLACE, DELETE, INSERT = "equal", "replace", "delete", "insert"


@dataclass(frozen=True)
class DiffRow:
    """One row of a side-by-side diff: the current line on the left, the proposed on the right.

    Text is plain (not escaped); numbers are 1-based and None where a side has no line.
    """

    kind: str  # equal | replace | delete | insert
    left_number: int | None
    left: str
    right_number: int | None
    right: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def side_by_side(before: str, after: str) -> list[DiffRow]:
    """Rows pairing ``before``'s lines with ``after``'s, changed lines next to each other."""
    old, new = before.splitlines(), after.splitlines()
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == EQUAL:
            rows += [
                DiffRow(EQUAL, i + 1, old[i], j + 1, new[j])
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            ]
            continue
        span = max(i2 - i1, j2 - j1)
        for k in range(span):
            i, j = i1 + k, j1 + k
            left = (i + 1, old[i]) if i < i2 else (None, "")
            right = (j + 1, new[j]) if j < j2 else (None, "")
            kind = REPLACE if left[0] and right[0] else (DELETE if left[0] else INSERT)
            rows.append(DiffRow(kind, left[0], left[1], right[0], right[1]))
    return rows


def unified(before: str, after: str, *, name: str = "article") -> str:
    """The same change as a unified diff (for the audit log and the CLI)."""
    return "\n".join(
        difflib.unified_diff(
            before.splitlines(),
            after.splitlines(),
            f"{name} (live)",
            f"{name} (proposed)",
            lineterm="",
        )
    )
