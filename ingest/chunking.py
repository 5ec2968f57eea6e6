"""Markdown-aware chunking with llama-index: sections by heading, then sentence-sized pieces.

Each piece keeps its heading path (``Payouts > Delays``) because a continuation piece has lost
its heading line, and the heading is what makes it findable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from llama_index.core import Document as LlamaDocument
from llama_index.core.node_parser import MarkdownNodeParser, SentenceSplitter

from ingest.plain import plain_text

CHUNK_TOKENS = 256
OVERLAP_TOKENS = 32
# llama-index hashes the whole document once per section: quadratic on huge files. Sections
# are found per block of this many characters instead (at a blank line), keeping it linear.
BLOCK_CHARS = 20_000

SHORT_CHARS = CHUNK_TOKENS * 3

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# Emphasis and code marks around words; an underscore inside a word (max_connections) is text.
_MARKS = re.compile(r"[*`]|(?<!\w)_+|_+(?!\w)")


@dataclass(frozen=True)
class Piece:
    """One chunk of a document, in reading order."""

    position: int
    heading: str  # "Title > Section > Subsection"
    text: str


class Chunker:
    """Splits Markdown into pieces; one instance is reusable and holds no per-document state."""

    def __init__(self, *, chunk_tokens: int = CHUNK_TOKENS, overlap: int = OVERLAP_TOKENS) -> None:
        self._sections = MarkdownNodeParser(include_prev_next_rel=False, include_metadata=True)
        self._splitter = SentenceSplitter(chunk_size=chunk_tokens, chunk_overlap=overlap)

    def split(self, title: str, body: str) -> list[Piece]:
        pieces: list[Piece] = []
        trail: list[tuple[int, str]] = []  # open headings as (level, text), outermost first
        for block in _blocks(body):
            nodes = self._sections.get_nodes_from_documents([LlamaDocument(text=block)])
            for node in nodes:
                text = node.get_content().strip()
                if not text:
                    continue
                first = text.split("\n", 1)[0]
                match = _HEADING.match(first)
                if match:
                    level = len(match.group(1))
                    trail = [(lvl, h) for lvl, h in trail if lvl < level] + [
                        (level, _plain(match.group(2)))
                    ]
                heading = " > ".join(_path(title, [h for _, h in trail]))
                # Most sections fit in one chunk, and the splitter tokenizes every text it is
                # given (the slowest step of chunking), so short sections are kept whole. At
                # ~4 characters a token that is ~3/4 of a chunk; denser text such as code may
                # run a little over, which WordLlama (no truncation) and BM25 take as it is.
                parts = [text] if len(text) <= SHORT_CHARS else self._splitter.split_text(text)
                for part in parts:
                    if part.strip():
                        pieces.append(Piece(len(pieces), heading, part.strip()))
        return pieces


def _blocks(body: str) -> list[str]:
    if len(body) <= BLOCK_CHARS:
        return [body]
    blocks, start = [], 0
    while start < len(body):
        end = start + BLOCK_CHARS
        if end < len(body):
            cut = body.rfind("\n\n", start, end)
            end = cut if cut > start else end
        blocks.append(body[start:end])
        start = end
    return blocks


def _path(title: str, headings: list[str]) -> list[str]:
    # The article title is usually also its H1; don't say it twice.
    if headings and headings[0].casefold() == title.casefold():
        return headings
    return [title, *headings] if title else headings


def _plain(heading: str) -> str:
    """The heading as people read it: no anchors (``<a name="x"></a>``), escapes or emphasis."""
    return " ".join(_MARKS.sub("", plain_text(heading)).split())


def dense_text(title: str, heading: str, text: str) -> str:
    """What the dense model embeds: where the piece sits, then what it says."""
    return plain_text(f"{heading or title}\n{text}")


def sparse_text(title: str, heading: str, text: str) -> str:
    """What BM25 indexes: the title and headings count alongside the text (a title match is
    strong evidence the page is about the question)."""
    return plain_text(f"{title}\n{heading}\n{text}")
