"""Markdown from tickets, articles and reviewers renders inert: an XSS corpus, wherever it shows.

Each payload goes through the one renderer, the editor's preview endpoint and the document page;
the HTML that comes out is parsed (not searched with regular expressions) and checked for
elements and attributes that run script, and for links whose scheme is not allow-listed once
entities, percent-escapes and invisible characters are removed. Ordinary Markdown must still
render, or a renderer that escaped everything would pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from html import unescape
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.users import Role
from tests.conftest import csrf_token
from tests.webapp.test_review_pages import store_document, store_proposal
from webapp.markdown import render_markdown

CORPUS: list[str] = [
    # raw HTML: script, event handlers, frames, styles, forms
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    "<style>body { display: none }</style>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html,<script>alert(1)</script>">',
    '<a href="javascript:alert(1)">click</a>',
    '<div onmouseover="alert(1)">hover me</div>',
    "<details open ontoggle=alert(1)>",
    '<base href="javascript:alert(1)//">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "**<b onclick=alert(1)>bold</b>**",
    # links with dangerous schemes, disguised
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java&#x09;script:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;&#x61;&#x76;&#x61;script:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](  javascript:alert(1)  )",
    "[click](<javascript:alert(1)>)",
    '[click](javascript:alert(1) "a title")',
    "[click](%6Aavascript:alert(1))",
    "[click](java%0Ascript:alert(1))",
    "[click](\u200bjavascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](VBScript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](data:text/html,<script>alert(1)</script>)",
    "[click](file:///etc/passwd)",
    # images
    "![pic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![pic](javascript:alert(1))",
    '![pic" onerror="alert(1)](https://example.com/a.png)',
    "![tracker](https://evil.example/pixel.gif)",
    # autolinks
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "<vbscript:msgbox(1)>",
    # reference-style links and titles with quotes
    "[click][evil]\n\n[evil]: javascript:alert(1)",
    "[click][evil]\n\n[evil]: &#106;avascript:alert(1)",
    '[click][t]\n\n[t]: https://example.com "a\\" onmouseover=\\"alert(1)"',
    '[click](https://example.com "\\" onclick=\\"alert(1)")',
    "[click](https://example.com 'it''s \" onclick=alert(1)')",
    # nested brackets and neighbours
    "[[inner](javascript:alert(1))](https://example.com)",
    "[ok](https://example.com)[bad](javascript:alert(1))",
    "[<img src=x onerror=alert(1)>](https://example.com)",
    # entities and code
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
]

DANGEROUS_ELEMENTS = frozenset(
    {
        *("script", "iframe", "frame", "frameset", "object", "embed", "applet"),
        *("style", "link", "meta", "base", "form", "svg", "math", "img"),
    }
)
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "background"}
)
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})


def _scheme(url: str) -> str | None:
    """The scheme a browser would act on, seen through entities, escapes and invisible chars."""
    for _ in range(3):
        url = unquote(unescape(url))
    visible = "".join(
        ch for ch in url if ord(ch) > 0x20 and unicodedata.category(ch) not in ("Cc", "Cf", "Zs")
    )
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", visible)
    return match.group(1).lower() if match else None


class _Scan(HTMLParser):
    """Every element of an HTML document as a browser's parser sees it, and whether it sits
    inside rendered Markdown (a ``<div class="markdown">``; Markdown itself makes no divs)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str], bool]] = []
        self.script_text: list[str] = []
        self.markdown_blocks = 0
        self._markdown_depth = 0  # divs open inside the current Markdown block
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        self.elements.append((tag, values, self._markdown_depth > 0))
        self._in_script = tag == "script"
        if tag == "div" and (self._markdown_depth or "markdown" in values.get("class", "")):
            self.markdown_blocks += self._markdown_depth == 0
            self._markdown_depth += 1

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False
        if tag == "div" and self._markdown_depth:
            self._markdown_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.script_text.append(data)


def problems_in(html: str, *, page: bool = False) -> list[str]:
    """What in ``html`` could run script or load something. A fragment is all Markdown; on a
    whole page, the elements inside ``<div class="markdown">`` are held to the Markdown rules
    and the page around them (its own forms, stylesheet and script files) to the rest."""
    scan = _Scan()
    scan.feed(html)
    scan.close()
    if page and scan.markdown_blocks == 0:
        return ["no rendered Markdown on the page"]
    found = [f"inline script: {text[:60]!r}" for text in scan.script_text]
    for tag, attrs, in_markdown in scan.elements:
        if tag in DANGEROUS_ELEMENTS and (in_markdown or not page):
            found.append(f"<{tag}> element")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"{name} attribute on <{tag}>")
            if name == "style":
                found.append(f"style attribute on <{tag}>")
            scheme = _scheme(value) if name in URL_ATTRIBUTES else None
            if scheme is not None and scheme not in ALLOWED_SCHEMES:
                found.append(f"{name}={value!r} on <{tag}> ({scheme}:)")
    return found


def test_the_corpus_is_large_enough_to_mean_something() -> None:
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("payload", CORPUS)
def test_the_renderer_makes_each_payload_inert(payload: str) -> None:
    html = str(render_markdown(payload))
    assert problems_in(html) == []


def test_the_checker_catches_what_it_looks_for() -> None:
    # The corpus test passes only because the renderer is safe, not because the checker is blind.
    assert problems_in('<p><a href="java&#x09;script:alert(1)">x</a></p>')
    assert problems_in('<img src="x" onerror="alert(1)">')
    assert problems_in("<script>alert(1)</script>")
    assert problems_in('<a href="%6Aavascript:alert(1)">x</a>')
    assert problems_in('<a href="data:text/html,x">x</a>')
    assert not problems_in('<a href="https://example.com/a">x</a><a href="/docs#b">y</a>')


FRAGMENTS = [*CORPUS, "# Title", "- item", "1. step", "`code`", "> quote", "\n\n", " ", "[", "]"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6))
def test_payloads_stay_inert_when_combined_with_each_other_and_markdown(
    parts: list[str],
) -> None:
    assert problems_in(str(render_markdown("".join(parts)))) == []


def test_raw_html_is_shown_as_text_not_dropped() -> None:
    html = str(render_markdown("Say <script>alert(1)</script> and <b>bold</b>."))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_a_link_with_a_refused_scheme_keeps_its_words_but_no_target() -> None:
    html = str(render_markdown("[Open the invoice](javascript:alert(1)) please"))
    assert "Open the invoice" in html
    assert "<a " not in html


def test_images_show_their_description_instead_of_loading() -> None:
    html = str(render_markdown("![QR code on the invoice](https://cdn.example.com/qr.png)"))
    assert "<img" not in html
    assert "QR code on the invoice" in html
    assert "cdn.example.com" not in html


def test_ordinary_markdown_still_renders() -> None:
    text = (
        "# Scan to pay\n\n"
        "Customers can pay **by QR code**.\n\n"
        "## Steps\n\n"
        "1. Open the invoice.\n"
        "2. Turn on *Show QR code*.\n\n"
        "- cards\n- bank debit\n\n"
        "> Only for Fernhill Payments.\n\n"
        "Use `qr=true` or:\n\n"
        "```\nGET /invoices/1?qr=true\n```\n\n"
        "| Plan | QR |\n| --- | --- |\n| Plus | yes |\n\n"
        "See [payment methods](https://help.example.com/pay), "
        "[setup](/review/stale#x), <https://example.com/a> and <help@example.com>."
    )
    html = str(render_markdown(text))
    assert "<h1>Scan to pay</h1>" in html
    assert "<h2>Steps</h2>" in html
    assert "<strong>by QR code</strong>" in html
    assert "<ol>\n<li>Open the invoice.</li>" in html
    assert "<em>Show QR code</em>" in html
    assert "<ul>\n<li>cards</li>" in html
    assert "<blockquote>" in html
    assert "<code>qr=true</code>" in html
    assert "<pre><code>GET /invoices/1?qr=true\n</code></pre>" in html
    assert "<th>Plan</th>" in html
    assert "<td>yes</td>" in html
    assert (
        '<a href="https://help.example.com/pay" rel="nofollow noopener noreferrer">'
        "payment methods</a>" in html
    )
    assert '<a href="/review/stale#x">setup</a>' in html  # internal: no rel
    assert '<a href="https://example.com/a" rel="nofollow noopener noreferrer">' in html
    assert '<a href="mailto:help@example.com">help@example.com</a>' in html


def test_link_titles_are_kept_and_escaped() -> None:
    html = str(render_markdown('[docs](https://example.com "Say \\"hi\\" & <wave>")'))
    assert 'title="Say &quot;hi&quot; &amp; &lt;wave&gt;"' in html


# --- the same corpus through the pages that show Markdown ------------------------------------


def test_the_editor_preview_renders_the_whole_corpus_inert(
    sign_in_as: Callable[[Role], FlaskClient],
) -> None:
    client = sign_in_as(Role.KNOWLEDGE_MANAGER)
    token = csrf_token(client, "/review/stale")
    for payload in CORPUS:
        response = client.post("/review/preview", data={"csrf_token": token, "body": payload})
        assert response.status_code == 200
        assert response.mimetype == "text/html"
        assert problems_in(response.get_data(as_text=True)) == [], payload


def test_the_document_page_renders_the_whole_corpus_inert(
    app: Flask, sign_in_as: Callable[[Role], FlaskClient]
) -> None:
    store_document(app, "xss-corpus", body="\n\n".join(CORPUS))
    client = sign_in_as(Role.KNOWLEDGE_MANAGER)
    page = client.get("/admin/knowledge/documents/xss-corpus")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Version 1 as published" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the payloads are there, as text
    assert problems_in(html, page=True) == []


def test_the_proposal_page_renders_the_whole_corpus_inert(
    app: Flask, sign_in_as: Callable[[Role], FlaskClient]
) -> None:
    proposal_id = store_proposal(app, "XSS corpus", body="\n\n".join(CORPUS))
    client = sign_in_as(Role.KNOWLEDGE_MANAGER)
    page = client.get(f"/review/proposals/{proposal_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # in the diff and the editor, as text
    assert problems_in(html, page=True) == []
