"""Where names do not live: the code, addresses and markup of a Markdown or HTML document.

Knowledge articles and pasted tickets are full of text that is not prose: fenced and indented
code blocks, inline code spans, URLs, link targets ``](…)``, HTML tags and anchors
(``<a name="…"></a>``). (An indented block counts as code only when it holds something prose
rarely does: braces, ``;``, ``=``, angle brackets, a backslash or a call; an e-mail's indented
paragraph stays prose.) spaCy reads ``WriteLine`` or ``com.amazonaws…`` there as names, and
every sentence of it costs NER time. ``prose_view`` returns the text with all of that replaced
by blanks of the same length (line breaks kept), so offsets into the view are offsets into the
text, and Markdown's backslash escapes (``\\.``) become blanks so the model reads ``done .``
rather than the token ``done\\.``.

Only the name finder reads the view. The pattern recognizers (e-mails, phones, cards, IBANs)
and the deny-list still read the whole text: a card number pasted in a code block is still a
card number, and those patterns are cheap. (What code fools them with, decimals such as
``0.2707797586917877`` or ``1540857600.0``, the redactor drops.) A name found in prose is also
replaced wherever else it occurs, code included (``Redactor._repeated_names``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# A fence opens a code block (indented, inside a list item, too) and the same kind of fence at
# least as long closes it; an unclosed fence runs to the end of the text, as in CommonMark.
_FENCE = re.compile(r"^[^\S\n]*(`{3,}|~{3,})[^\n]*$", re.M)
_INDENTED = re.compile(r"^(?: {4}|[^\S\n]*\t)")
# Characters prose rarely holds and code nearly always does: braces, ;, =, <>, \, a call.
_CODE_MARK = re.compile(r"[{};=<>\\]|\w\(")
_LIST_ITEM = re.compile(r"^[^\S\n]*(?:[-*+]|\d{1,9}[.)])[^\S\n]")
# Inline code: a run of backticks closed by a run of the same length, within one paragraph.
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(?:(?!\n[^\S\n]*\n).)+?(?<!`)\1(?!`)", re.S)
_SPANS = re.compile(
    "|".join(
        (
            r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s<>\"'`]+",  # https://…, s3://…, ftp://…
            r"\bwww\.[^\s<>\"'`]+",
            r"\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:[^\S\n]+\"[^\"\n]*\")?\)",  # ](target "t")
            r"^[^\S\n]*\[[^\]\n]+\]:[^\S\n]+\S+",  # [ref]: target
            r"<!--.*?-->",
            r"</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>",  # tags; <ana@example.com> is not one
        )
    ),
    re.M | re.S,
)
# An ATX heading ("## Amazon Aurora DB clusters"): its text.
HEADING = re.compile(r"^[^\S\n]{0,3}#{1,6}[^\S\n]+(.+)$", re.M)
_NOT_NEWLINE = re.compile(r"[^\n]")
_ESCAPE = re.compile(r"\\(?=[!-/:-@\[-`{-~])")


def prose_view(text: str) -> str:
    """``text`` with its code, URLs, link targets and tags blanked (same length, same lines)."""
    if not _may_have_markup(text):
        return text
    pieces, pos = [], 0
    for start, end in _code_blocks(text):
        pieces += [text[pos:start], _blanks(text[start:end])]
        pos = end
    masked = "".join([*pieces, text[pos:]])
    # Code spans first: their contents (a URL, a tag) go with them.
    for pattern in (_CODE_SPAN, _SPANS):
        masked = pattern.sub(lambda m: _blanks(m[0]), masked)
    return _ESCAPE.sub(" ", masked)


def _may_have_markup(text: str) -> bool:
    # Most tickets have none of it; skip the scans for them.
    return any(c in text for c in "`<\\]\t") or any(
        mark in text for mark in ("~~~", "://", "www.", "    ")
    )


def _blanks(text: str) -> str:
    return _NOT_NEWLINE.sub(" ", text)


def _code_blocks(text: str) -> Iterator[tuple[int, int]]:
    """Fenced blocks, and indented blocks that follow a blank line outside a list and look
    like code (an indented paragraph of an e-mail is still prose)."""
    pos = 0
    for start, end in _fenced(text):
        yield from _indented_code(text, pos, start)
        yield start, end
        pos = end
    yield from _indented_code(text, pos, len(text))


def _indented_code(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    for block_start, block_end in _indented(text, start, end):
        if _CODE_MARK.search(text, block_start, block_end):
            yield block_start, block_end


def _fenced(text: str) -> Iterator[tuple[int, int]]:
    opening = _FENCE.search(text)
    while opening:
        fence = opening[1]
        closing = _FENCE.search(text, opening.end())
        while closing and not (closing[1][0] == fence[0] and len(closing[1]) >= len(fence)):
            closing = _FENCE.search(text, closing.end())
        if closing is None:
            yield opening.start(), len(text)
            return
        yield opening.start(), closing.end()
        opening = _FENCE.search(text, closing.end())


def _indented(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Indented code: lines indented by four blanks after a blank line, where the last
    paragraph was not a list item (whose continuation lines are indented too)."""
    pos, block_start = start, None
    after_blank, in_list = True, False
    for line in text[start:end].splitlines(keepends=True):
        blank = not line.strip()
        if block_start is not None and not blank and not _INDENTED.match(line):
            yield block_start, pos
            block_start = None
        if block_start is None and not blank:
            if after_blank and not in_list and _INDENTED.match(line):
                block_start = pos
            elif not _INDENTED.match(line):
                in_list = bool(_LIST_ITEM.match(line))
        after_blank = blank
        pos += len(line)
    if block_start is not None:
        yield block_start, pos
