"""Which parts of a reply the rules read: prose blocks, with ignored scopes blanked out.

Rules never see quoted customer text (blockquotes and the "On … wrote:" line above them), code
(inline, indented, fenced) or URLs, e-mail addresses and bare domains. Those spans are
replaced by spaces in ``ScopedText.masked``, which keeps every offset equal to the original's,
so a finding's span points into the text the agent wrote. Curly apostrophes and quotes are
straightened in the mask too (one character each), so a rule written with ``'`` matches ``’``.

Block structure comes from markdown-it-py's tokens. Its block parser walks the text in Python
(~100–150 µs for a 150-word reply, a third of a check), so a reply with no line that could open
a Markdown block skips it: such text can only be paragraphs separated by blank lines, which is
what the fast path produces, inline code and links included (a property test holds the two
equal). A reply that does need the parser gets it without the lines that can only continue the
line above (``_condensed``; another property test holds the blocks equal): 70 µs → 50 µs for
the benchmark's Markdown reply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from styleguide.patterns import straighten

QUOTED_TEXT, CODE, URLS = "quoted_text", "code", "urls"
SCOPES = (QUOTED_TEXT, CODE, URLS)

Span = tuple[int, int]

# Block structure only: inline parsing would double the cost, and the two inline scopes we
# need (code spans, link targets) are found with patterns inside each paragraph's span.
# Setext headings, raw HTML blocks and link reference definitions are not what support replies
# are written with; left out, such lines read as paragraphs (a definition's URL is still masked).
_MARKDOWN = MarkdownIt("commonmark").disable(
    ["inline", "text_join", "lheading", "html_block", "reference"]
)
# A line that could open a Markdown block: a quote, heading, list, rule, fence, indented code
# (four columns: spaces, or up to three spaces and a tab).
_BLOCK_START = r" {0,3}(?:[>#*+=_~`-]|\d{1,9}[.)]|\t)| {4}"
_MAYBE_BLOCKS = re.compile(f"^(?:{_BLOCK_START})", re.M)
_OPENS_A_BLOCK = re.compile(_BLOCK_START)
_QUOTE_MARKER = re.compile(r" {0,3}> ?")
# A line that can open no block: at most three spaces, then no block marker (see _condensed).
_PLAIN_LINE = re.compile(r" {0,3}[^\s>#*+=_~`\-\d<\[|]")
# What could open an inline construct that holds an ignored scope: code, a link, an autolink.
_MAYBE_INLINE = re.compile(r"[`<\[]")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]"  # with a scheme
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail address
    r"|\b(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/[^\s<>\"']*[^\s<>\"'.,;:!?)\]])?",  # bare domain
)
# Every URL, address or domain has one of these; most replies have none, so the scan is skipped.
# A dot, "://" or "@" is the literal the scan starts from: a pattern opening with a class (the
# character before the dot) is tried at every position of the reply, four times slower. Every
# match of _URL holds "://", "@" or a word character, a dot and a letter, so no URL is missed.
_URL_HINT = re.compile(r"\.[a-z]|://|@")
_NOT_NEWLINE = re.compile(r"[^\n]")
_WROTE = re.compile(r"^On .{3,120} wrote:[ \t]*$", re.M)
_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
_LINK_TARGET = re.compile(r"\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<[a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]*>|<[^\s<>@]+@[^\s<>]+>")


@dataclass(frozen=True, slots=True)
class ScopedText:
    """The reply, its mask (ignored spans blanked), and its prose blocks in order."""

    original: str
    masked: str
    blocks: tuple[Span, ...]
    ignored: tuple[Span, ...]


def scope(text: str, ignore: Iterable[str] = SCOPES) -> ScopedText:
    """Find the prose blocks of ``text`` and blank out the scopes named in ``ignore``."""
    wanted = frozenset(ignore)
    if _MAYBE_BLOCKS.search(text):
        quoted = _quoted_paragraphs(text, wanted)
        blocks, ignored = quoted if quoted is not None else _markdown_blocks(text, wanted)
    else:
        # Without a block construct the blocks are the paragraphs; inline code and links, which
        # never cross a paragraph, are found in each one.
        blocks, ignored = _plain_blocks(text), []
        if _MAYBE_INLINE.search(text):
            for block in blocks:
                ignored.extend(_inline_scopes(text, block, wanted))
    if URLS in wanted and _URL_HINT.search(text):
        ignored.extend(_urls(text, blocks))
    masked = straighten(_blank(text, ignored))
    return ScopedText(text, masked, tuple(blocks), tuple(sorted(ignored)))


def _quoted_paragraphs(text: str, wanted: frozenset[str]) -> tuple[list[Span], list[Span]] | None:
    """The blocks and ignored spans of a reply whose only block syntax is quotes of plain
    paragraphs (an e-mail answer quoting the customer), as markdown-it finds them, without it;
    None when the reply needs the parser. A property test holds the two equal."""
    if QUOTED_TEXT not in wanted or "\r" in text:
        return None
    for marker in _MAYBE_BLOCKS.finditer(text):
        if text[marker.end() - 1] != ">":
            return None
        inside = marker.end() + text.startswith(" ", marker.end())
        if _OPENS_A_BLOCK.match(text, inside):
            return None  # a list, code or another quote inside the quote
    found = _paragraphs_and_quotes(text)
    if found is None:
        return None
    blocks: list[Span] = []
    ignored: list[Span] = []
    for paragraph in found[0]:
        blocks.append(_trim(text, *paragraph))
        ignored.extend(_inline_scopes(text, blocks[-1], wanted))
    for quote in found[1]:
        ignored.append(quote)
        ignored.extend(_wrote_line_before(text, quote[0]))
    blocks = [b for b in blocks if not any(s <= b[0] < e for s, e in ignored)]
    return blocks, ignored


def _paragraphs_and_quotes(text: str) -> tuple[list[Span], list[Span]] | None:
    """The line spans of the paragraphs and the quotes of a text whose only block syntax is
    quote markers; None for a quote without text or ending in two empty quote lines
    (markdown-it stretches those over the blank lines after them)."""
    paragraphs: list[Span] = []
    quotes: list[Span] = []
    paragraph: Span | None = None
    quote: Span | None = None
    last_line_text = quote_text = False  # the quote's last line holds text; any of its lines
    empty_lines = 0  # empty quote lines at the quote's end
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        marker = _QUOTE_MARKER.match(line)
        blank = not line.strip(" \t")
        # A text line under a quote line with text continues the quote's paragraph (lazily).
        lazy = quote is not None and last_line_text and not (marker or blank)
        if paragraph is not None and (marker or blank):
            paragraphs.append(paragraph)  # a quote interrupts a paragraph; a blank line ends it
            paragraph = None
        if quote is not None and not (marker or lazy):
            if not quote_text or empty_lines > 1:
                return None
            quotes.append(quote)
            quote = None
        if marker:
            last_line_text = bool(line[marker.end() :].strip(" \t"))
            quote_text = last_line_text or (quote is not None and quote_text)
            empty_lines = 0 if last_line_text else empty_lines + 1 if quote is not None else 1
            quote = (start if quote is None else quote[0], end)
        elif quote is not None:
            quote = (quote[0], end)
        elif not blank:
            paragraph = (start if paragraph is None else paragraph[0], end)
        start = end + 1
    if paragraph is not None:
        paragraphs.append(paragraph)
    if quote is not None:
        if not quote_text or empty_lines > 1:
            return None
        quotes.append(quote)
    return paragraphs, quotes


def _urls(text: str, blocks: Sequence[Span]) -> list[Span]:
    """URLs, addresses and domains: only the words holding a hint are scanned (the full
    pattern tried at every position of a reply costs more than all the rules together)."""
    found: list[Span] = []
    for start, end in blocks:
        scanned = start
        for hint in _URL_HINT.finditer(text, start, end):
            if hint.start() < scanned:
                continue
            left = hint.start()
            while left > start and not text[left - 1].isspace():
                left -= 1
            right = hint.end()
            while right < end and not text[right].isspace():
                right += 1
            found.extend(m.span() for m in _URL.finditer(text, left, right))
            scanned = right
    return found


def _plain_blocks(text: str) -> list[Span]:
    blocks, start = [], 0
    for gap in _BLANK_LINE.finditer(text):
        blocks.append((start, gap.start()))
        start = gap.end()
    blocks.append((start, len(text)))
    return [_trim(text, s, e) for s, e in blocks if text[s:e].strip()]


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start] in " \t\n\r":
        start += 1
    while end > start and text[end - 1] in " \t\n\r":
        end -= 1
    return start, end


def _markdown_blocks(
    text: str, wanted: frozenset[str], *, condense: bool = True
) -> tuple[list[Span], list[Span]]:
    starts = _line_starts(text)
    # markdown-it counts a lone "\r" as a line break too; such text is parsed whole.
    if condense and "\r" not in text:
        parsed, kept = _condensed(text)
    else:
        parsed, kept = text, list(range(len(starts)))

    def lines(token: Token) -> Span:
        # Token maps count the parsed text's lines; ``kept`` turns them into the reply's. A
        # block ends where the next kept line starts, so it takes the lines left out after it.
        first, last = token.map or (0, 0)
        first, last = kept[first], kept[last] if last < len(kept) else len(starts)
        end = starts[last] - 1 if last < len(starts) else len(text)
        return starts[first], max(starts[first], end)

    blocks: list[Span] = []
    ignored: list[Span] = []
    quote_depth = 0
    for token in _MARKDOWN.parse(parsed):
        if token.type == "blockquote_open":
            quote_depth += 1
            if quote_depth == 1 and QUOTED_TEXT in wanted:
                ignored.append(lines(token))
                ignored.extend(_wrote_line_before(text, lines(token)[0]))
        elif token.type == "blockquote_close":
            quote_depth -= 1
        elif token.type in ("code_block", "fence"):
            if CODE in wanted and not quote_depth:
                ignored.append(lines(token))
        elif token.type == "inline" and token.map is not None:
            if quote_depth and QUOTED_TEXT in wanted:
                continue
            span = _trim(text, *lines(token))
            blocks.append(span)
            ignored.extend(_inline_scopes(text, span, wanted))
    if QUOTED_TEXT in wanted:
        blocks = [b for b in blocks if not any(s <= b[0] < e for s, e in ignored)]
    return blocks, ignored


def _condensed(text: str) -> tuple[str, list[int]]:
    """``text`` without the lines that can only continue the line above, for the parser, and
    the number each kept line has in ``text``.

    The block parser calls every block rule on every line, in Python. A line that opens with
    no block marker (after at most three spaces), under another such line and indented at
    least as far, continues whatever that line is in: a paragraph, lazily a quote's or a list
    item's paragraph, or a fence's content (indented as far, so still inside its list item).
    Most lines of a reply are such lines; leaving them out changes no block boundary.
    """
    kept_lines: list[str] = []
    kept: list[int] = []
    above = -1  # the indent of the line above when it is a plain line, else -1
    for number, line in enumerate(text.split("\n")):
        plain = _PLAIN_LINE.match(line)
        indent = plain.end() - 1 if plain else -1
        if not plain or not 0 <= above <= indent:
            kept_lines.append(line)
            kept.append(number)
        above = indent
    return "\n".join(kept_lines), kept


def _line_starts(text: str) -> list[int]:
    starts = [0]
    position = text.find("\n")
    while position != -1:
        starts.append(position + 1)
        position = text.find("\n", position + 1)
    return starts


def _wrote_line_before(text: str, quote_start: int) -> list[Span]:
    # Mail clients put "On Mon, 2 Nov, Dana wrote:" above the quoted message; it is theirs too.
    head = text[:quote_start].rstrip("\n")
    line_start = head.rfind("\n") + 1
    match = _WROTE.match(head, line_start)
    return [(line_start, len(head))] if match else []


def _inline_scopes(text: str, span: Span, wanted: frozenset[str]) -> list[Span]:
    found: list[Span] = []
    start, end = span
    if CODE in wanted and "`" in text[start:end]:
        found.extend(m.span() for m in _INLINE_CODE.finditer(text, start, end))
    if URLS in wanted and ("](" in text[start:end] or "<" in text[start:end]):
        found.extend(m.span(1) for m in _LINK_TARGET.finditer(text, start, end))
        found.extend(m.span() for m in _AUTOLINK.finditer(text, start, end))
    return found


def _blank(text: str, spans: Sequence[Span]) -> str:
    """``text`` with every character of ``spans`` but line breaks turned into a space."""
    if not spans:
        return text
    pieces, position = [], 0
    for start, end in sorted(spans):
        start = max(start, position)
        if end <= start:
            continue
        pieces.append(text[position:start])
        pieces.append(_NOT_NEWLINE.sub(" ", text[start:end]))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
