"""HTML to Markdown-ish text with the standard library's ``html.parser``.

Shared by the HTML reader and the Zendesk and Intercom exports (whose article bodies are HTML).
The output is meant for people and for retrieval, not for round-tripping: headings, paragraphs,
lists, links, tables and code survive; page chrome (navigation, headers, footers, scripts) does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Page chrome and machinery: repeated on every page, so it would only add noise to retrieval.
SKIPPED = frozenset({"script", "style", "nav", "header", "footer", "noscript", "template"})
BLOCKS = frozenset({
    "p", "div", "section", "article", "main", "aside", "blockquote", "figure", "figcaption",
    "address", "dl", "dt", "dd", "hr", "form", "fieldset", "details", "summary", "body",
})  # fmt: skip
HEADINGS = {f"h{level}": level for level in range(1, 7)}
# Inside a table cell these only separate words: a cell is one line of its row.
CELL_BREAKS = BLOCKS | set(HEADINGS) | {"ul", "ol", "li", "br", "pre"}
_SPACE = re.compile(r"\s+")
_LANGUAGE_CLASS = re.compile(r"(?:language|lang)-([\w+#-]+)")


@dataclass
class ConvertedHtml:
    """An HTML page as text, plus what its head said about it."""

    body: str
    title: str = ""  # from <title>
    first_heading: str = ""  # the first <h1> outside page chrome
    language: str = ""  # from <html lang="...">
    canonical_url: str = ""  # from <link rel="canonical">
    meta: dict[str, str] = field(default_factory=dict)  # <meta name="tandem:KEY" content="...">


def convert_html(html: str) -> ConvertedHtml:
    """Convert an HTML document or fragment; malformed HTML is converted as far as it goes."""
    parser = _MarkdownWriter()
    parser.feed(html)
    parser.close()
    return parser.result()


class _MarkdownWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ConvertedHtml(body="")
        self._blocks: list[tuple[str, int]] = []  # (text, its top-level list's number or 0)
        self._list_number = 0  # counts top-level lists, so that two lists stay apart
        self._lines: list[str] = []  # finished lines of the block being built (<br>)
        self._inline: list[str] = []  # text of the line being built
        self._skipping: list[str] = []  # open chrome elements
        self._lists: list[int | None] = []  # per open list: its next number, None if unordered
        self._marker: str | None = None  # "- " or "3. " until the list item's text is written
        self._links: list[str] = []  # hrefs of open <a> elements
        self._pre: list[str] | None = None  # raw text of an open <pre>, else None
        self._pre_language = ""
        self._row: list[str] | None = None  # cells of an open table row
        self._rows: list[tuple[list[str], bool]] = []  # (cells, is a header row)
        self._header_row = False
        self._in_title = False

    def result(self) -> ConvertedHtml:
        if self._pre is not None:
            self._end("pre")
        self._flush()
        self._end_table()
        parts: list[str] = []
        previous = 0
        for text, in_list in self._blocks:
            if parts:
                parts.append("\n" if in_list and in_list == previous else "\n\n")
            parts.append(text)
            previous = in_list
        self.page.body = "".join(parts).strip()
        self.page.title = _SPACE.sub(" ", self.page.title).strip()
        return self.page

    # --- tags -----------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag in ("meta", "link", "html"):
            self._read_head(tag, attributes)
        if tag == "title":
            self._in_title = not self.page.title  # an <svg> may hold a <title> of its own
        if self._skipping or tag in SKIPPED:
            if tag in SKIPPED:
                self._skipping.append(tag)
            return
        if self._pre is not None:
            if tag == "code" and not self._pre:
                match = _LANGUAGE_CLASS.search(attributes.get("class", ""))
                self._pre_language = match.group(1) if match else self._pre_language
            elif tag == "br":
                self._pre.append("\n")
            return
        self._start(tag, attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if self._skipping:
            if tag in self._skipping:  # also closes chrome elements left open inside it
                while self._skipping.pop() != tag:
                    pass
            return
        if self._pre is not None and tag != "pre":
            return
        self._end(tag)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.page.title += data
        elif self._skipping:
            return
        elif self._pre is not None:
            self._pre.append(data)
        else:
            self._inline.append(data)

    # --- what each element becomes ----------------------------------------------------------

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        if self._row is not None and tag in CELL_BREAKS:
            self._inline.append(" ")
        elif tag in BLOCKS or tag in HEADINGS:
            self._flush()
        elif tag in ("ul", "ol"):
            self._flush()
            if not self._lists:
                self._list_number += 1
            start = attributes.get("start", "1")
            self._lists.append((int(start) if start.isdigit() else 1) if tag == "ol" else None)
        elif tag == "li":
            self._flush()
            self._marker = self._next_marker()
        elif tag == "br":
            self._lines.append(self._line())
        elif tag == "a":
            self._links.append(attributes.get("href", ""))
        elif tag == "code":
            self._inline.append("`")
        elif tag == "pre":
            self._flush()
            self._pre, self._pre_language = [], ""
        elif tag == "table":
            self._flush()
            self._rows = []
        elif tag == "tr":
            self._row, self._header_row = [], False
        elif tag in ("td", "th"):
            self._inline = []
            self._header_row = self._header_row or tag == "th"

    def _end(self, tag: str) -> None:
        if self._row is not None and tag in CELL_BREAKS:
            self._inline.append(" ")
        elif tag in HEADINGS:
            text = self._line()
            if tag == "h1" and not self.page.first_heading:
                self.page.first_heading = text
            if text:
                self._blocks.append(("#" * HEADINGS[tag] + " " + text, 0))
        elif tag in BLOCKS or tag == "li":
            self._flush()
        elif tag in ("ul", "ol"):
            self._flush()
            if self._lists:
                self._lists.pop()
        elif tag == "a" and self._links:
            self._end_link(self._links.pop())
        elif tag == "code":
            self._inline.append("`")
        elif tag == "pre" and self._pre is not None:
            code = "".join(self._pre).strip("\n")
            self._pre = None
            if code.strip():
                self._blocks.append((f"```{self._pre_language}\n{code}\n```", 0))
        elif tag in ("td", "th") and self._row is not None:
            self._row.append(self._line())
        elif tag == "tr" and self._row is not None:
            if any(self._row):
                self._rows.append((self._row, self._header_row))
            self._row = None
        elif tag == "table":
            self._end_table()

    def _end_link(self, href: str) -> None:
        # Only web links help a reader; relative and mailto: targets mean nothing out of context.
        text = _SPACE.sub(" ", "".join(self._inline)).rstrip()
        if href.startswith(("http://", "https://")) and not text.endswith(href):
            self._inline.append(f" ({href})")

    def _end_table(self) -> None:
        if not self._rows:
            return
        lines = []
        for number, (cells, header) in enumerate(self._rows):
            lines.append("| " + " | ".join(cells) + " |")
            if number == 0 and header:
                lines.append("|" + " --- |" * len(cells))
        self._blocks.append(("\n".join(lines), 0))
        self._rows = []

    def _read_head(self, tag: str, attributes: dict[str, str]) -> None:
        name = attributes.get("name", "").lower()
        if tag == "meta" and name.startswith("tandem:"):
            self.page.meta[name.removeprefix("tandem:")] = attributes.get("content", "")
        elif tag == "link" and "canonical" in attributes.get("rel", "").lower().split():
            self.page.canonical_url = attributes.get("href", "")
        elif tag == "html":
            self.page.language = attributes.get("lang", "")

    # --- text -------------------------------------------------------------------------------

    def _next_marker(self) -> str:
        if not self._lists:
            return "- "
        indent = "  " * (len(self._lists) - 1)
        number = self._lists[-1]
        if number is None:
            return indent + "- "
        self._lists[-1] = number + 1
        return f"{indent}{number}. "

    def _line(self) -> str:
        text = _SPACE.sub(" ", "".join(self._inline)).strip()
        self._inline = []
        return text

    def _flush(self) -> None:
        """End the block being built, if it holds any text."""
        lines = [*self._lines, self._line()]
        self._lines = []
        text = "\n".join(line for line in lines if line)
        if not text:
            return
        if self._marker is not None:
            # The item's first text carries its marker; later paragraphs line up under it.
            text = self._marker + text.replace("\n", "\n" + " " * len(self._marker))
            self._marker = None
        elif self._lists:
            text = "  " * len(self._lists) + text
        self._blocks.append((text, self._list_number if self._lists else 0))
