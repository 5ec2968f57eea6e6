"""Placeholders: which findings are replaced, and the ``<TYPE_n>`` each one becomes.

Findings overlap (two phone recognizers, a name inside an e-mail address); ``resolve`` keeps
one set of non-overlapping ones. ``number`` gives equal values one placeholder, numbered per
type in reading order: equal means the same after normalising (``4111 1111 1111 1111`` is
``4111111111111111``; names ignore case and spacing), and a lone first or last name that belongs
to exactly one full name in the document is that person.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

PLACEHOLDER = re.compile(r"<([A-Z][A-Z_]*)_(\d+)>")
# Types whose values are compared by their letters and digits only.
NUMBER_TYPES = frozenset(
    {"PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "UK_SORT_CODE", "BANK_ACCOUNT", "UK_NINO"}
)


@dataclass(frozen=True)
class PiiFinding:
    """One stretch of text the redactor replaces (offsets into the text it was given)."""

    entity_type: str
    start: int
    end: int
    score: float
    denied: bool = False  # found because the caller's deny-list named it


def placeholder_spans(text: str) -> list[tuple[int, int]]:
    """Where the text already holds placeholders: nothing may be found across them."""
    return [m.span() for m in PLACEHOLDER.finditer(text)]


def resolve(
    text: str, found: Sequence[PiiFinding], *, protected: Sequence[tuple[int, int]]
) -> list[PiiFinding]:
    """Non-overlapping findings in reading order.

    Overlapping findings of one type are merged into their union (two phone recognizers may
    disagree about an extension). Across types the deny-list wins, then the higher score, then
    the longer span: a phone-shaped run of digits inside a valid IBAN is part of the IBAN. What
    a losing finding holds beyond the winner is still replaced, as its own type: a deny-listed
    "Marlborough" inside "14 Marlborough Road, Bristol BS6 5NJ" leaves "14" and "Road, Bristol
    BS6 5NJ" to the address, not in the text. Nothing is found across a placeholder.
    """
    merged: list[PiiFinding] = []
    for f in sorted(found, key=lambda f: (f.entity_type, f.start, -f.end)):
        last = merged[-1] if merged else None
        if last and last.entity_type == f.entity_type and f.start < last.end:
            merged[-1] = PiiFinding(
                f.entity_type,
                last.start,
                max(last.end, f.end),
                max(last.score, f.score),
                last.denied or f.denied,
            )
        else:
            merged.append(f)
    kept: list[PiiFinding] = []
    for f in sorted(merged, key=lambda f: (not f.denied, -f.score, f.start - f.end, f.start)):
        if any(f.start < e and s < f.end for s, e in protected):
            continue
        kept += _uncovered(text, f, kept)
    return sorted(kept, key=lambda f: f.start)


def _uncovered(text: str, f: PiiFinding, kept: Sequence[PiiFinding]) -> list[PiiFinding]:
    """The pieces of ``f`` outside the findings already kept, trimmed to letters and digits;
    pieces of fewer than two (a comma, the "s" of "'s") are dropped."""
    cuts = sorted((k.start, k.end) for k in kept if k.start < f.end and f.start < k.end)
    if not cuts:
        return [f]
    pieces, start = [], f.start
    for cut_start, cut_end in [*cuts, (f.end, f.end)]:
        end = min(cut_start, f.end)
        while start < end and not text[start].isalnum():
            start += 1
        while end > start and not text[end - 1].isalnum():
            end -= 1
        if sum(c.isalnum() for c in text[start:end]) >= 2:
            pieces.append(PiiFinding(f.entity_type, start, end, f.score, f.denied))
        start = max(start, cut_end)
    return pieces


def _value_key(entity_type: str, value: str) -> str:
    if entity_type in NUMBER_TYPES:
        return "".join(c for c in value if c.isalnum()).upper()
    return " ".join(value.split()).casefold()


def _value_keys(text: str, findings: Sequence[PiiFinding]) -> list[tuple[str, str]]:
    """What identifies each finding's value. A lone first or last name that belongs to exactly
    one full name in the document is that person ("Sarah" after "Sarah Jones")."""
    keys = [(f.entity_type, _value_key(f.entity_type, text[f.start : f.end])) for f in findings]
    owners: dict[str, set[str]] = {}
    for entity_type, key in keys:
        if entity_type == "PERSON" and " " in key:
            for part in key.split():
                owners.setdefault(part, set()).add(key)
    return [
        (t, next(iter(owners[k]))) if t == "PERSON" and len(owners.get(k, ())) == 1 else (t, k)
        for t, k in keys
    ]


def number(text: str, findings: Sequence[PiiFinding]) -> list[str]:
    """A placeholder per finding: ``<TYPE_n>``, n counting distinct values in reading order
    and starting after any placeholder already in the text (re-redacting is harmless)."""
    counters = Counter[str]()
    for m in PLACEHOLDER.finditer(text):
        counters[m[1]] = max(counters[m[1]], int(m[2]))
    keys = _value_keys(text, findings)
    assigned: dict[tuple[str, str], str] = {}
    for entity_type, key in keys:
        if (entity_type, key) not in assigned:
            counters[entity_type] += 1
            assigned[entity_type, key] = f"<{entity_type}_{counters[entity_type]}>"
    return [assigned[k] for k in keys]
