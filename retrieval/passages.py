"""Sentences of retrieved chunks, as plain text with their exact place in the chunk.

The extractive composer quotes these sentences word for word, so each carries the offsets of the
passage it came from: a citation can open exactly that passage, and grounding can check it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.plain import plain_text

# A sentence ends at . ! ? followed by space and a capital/digit/quote, or at a line break.
_SENTENCE = re.compile(r"[^\n]+?(?:[.!?](?=\s+[\"'(\[A-Z0-9*_])|[.!?]?$)", re.MULTILINE)
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,2}[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|`)")
_TABLE = re.compile(r"^\s*\|")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")


@dataclass(frozen=True)
class Passage:
    """One sentence of a chunk: ``text`` is plain, ``start``/``end`` index the chunk's text."""

    text: str
    start: int
    end: int
    is_step: bool  # an item of a numbered or bulleted list: an instruction, not a statement


def plain(text: str) -> str:
    """Markdown inline syntax removed: what a customer should read in a reply."""
    text = _LINK.sub(r"\1", plain_text(text))
    text = _EMPHASIS.sub("", text)
    return " ".join(text.split())


def passages(chunk_text: str) -> list[Passage]:
    """The quotable sentences of a chunk: no headings, table rows, code or fragments."""
    found: list[Passage] = []
    in_code = False
    offset = 0
    lines = chunk_text.splitlines(keepends=True)
    for number, line in enumerate(lines):
        start = offset
        offset += len(line)
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code or _HEADING.match(line) or line.startswith("    "):
            continue
        if _TABLE.match(line):
            following = lines[number + 1] if number + 1 < len(lines) else ""
            row = _table_row(line, is_header=bool(_TABLE_RULE.match(following)))
            if row and _quotable(row):
                found.append(Passage(row, start, start + len(line.rstrip("\n")), False))
            continue
        marker = _LIST_MARKER.match(line)
        for begin, end in _sentences(line, marker.end() if marker else 0):
            text = plain(line[begin:end])
            if _quotable(text):
                found.append(Passage(text, start + begin, start + end, marker is not None))
    return found


def _sentences(line: str, begin: int) -> list[tuple[int, int]]:
    """Where the sentences of ``line`` start and end; a full stop inside a link's text ("Burst
    vs. Baseline") does not end one, or the quote would carry half of the link's syntax."""
    links = [(m.start(), m.end()) for m in _LINK.finditer(line)]
    spans: list[tuple[int, int]] = []
    for match in _SENTENCE.finditer(line, begin):
        if spans and any(s < spans[-1][1] < e for s, e in links):
            spans[-1] = (spans[-1][0], match.end())
        else:
            spans.append((match.start(), match.end()))
    return spans


def _table_row(line: str, *, is_header: bool) -> str:
    """A table row as a sentence, "Situation: what we do." (the header and rule rows: none)."""
    if is_header or _TABLE_RULE.match(line):
        return ""
    cells = [plain(cell) for cell in line.strip().strip("|").split("|")]
    cells = [cell for cell in cells if cell]
    if len(cells) < 2:
        return ""
    text = f"{cells[0]}: {'; '.join(cells[1:])}"
    return text if text.endswith((".", "!", "?")) else text + "."


def _quotable(text: str) -> bool:
    words = text.split()
    # Fragments make poor answers: labels ("See also:"), run-ons, and list items that continue
    # a sentence ("a payout has been in transit for 3 days, or").
    return (
        4 <= len(words) <= 60
        and not text.endswith((":", ",", ";"))
        and words[-1].lower() not in {"or", "and"}
        and (text[:1].isupper() or text[:1].isdigit())
    )
