"""The one Markdown renderer for every page that shows Markdown: safe to mark as HTML.

Markdown in Tandem comes from outside (ingested articles, proposals drafted from customer
tickets, whatever a reviewer types), so it is rendered as untrusted input:

- raw HTML is off: ``<script>``, ``<img onerror>``, ``<iframe>`` come out as visible text;
- link targets are allow-listed: http, https, mailto and relative URLs. Any other scheme, in
  whatever case, whitespace or entity disguise (``JaVaScRiPt:``, ``java&#x09;script:``,
  ``&#106;avascript:``, ``data:``, ``vbscript:``, ``file:``), is not a link: its Markdown stays
  on the page as plain text (and a link built any other way loses its href);
- images are never loaded: each is shown as its alt text. Pages send ``img-src 'self' data:``, so
  an outside image would be blocked anyway, and an image in a proposal drafted from customer text
  could be a tracking pixel that tells a stranger when a reviewer opened it;
- links that leave Tandem get ``rel="nofollow noopener noreferrer"``.

The page's Content-Security-Policy (no inline script) is the second line of defence, not the first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from html import unescape
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
EXTERNAL_REL = "nofollow noopener noreferrer"
# Larger input is refused by the preview endpoint; rendering is linear, but a reviewer never
# needs a megabyte of article, and the limit keeps one request from holding a worker.
MAX_PREVIEW_CHARS = 200_000

_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
# What browsers drop from a URL before reading its scheme: ASCII whitespace and controls
# (``java\tscript:`` works in some), plus anything Unicode calls a space or a format character.
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f]")


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see in ``url`` (lowercase), or None for a relative URL.

    Entities and percent-escapes are decoded first (repeatedly, so double encoding does not
    hide one) and invisible characters removed, so a disguised ``javascript:`` is still seen.
    """
    seen = url
    for _ in range(3):
        decoded = unquote(unescape(seen))
        if decoded == seen:
            break
        seen = decoded
    visible = "".join(
        ch for ch in _INVISIBLE.sub("", seen) if unicodedata.category(ch) not in ("Zs", "Cf")
    )
    match = _SCHEME.match(visible.lower())
    return match.group(1) if match else None


def is_allowed_url(url: str) -> bool:
    """http, https, mailto and relative URLs may be linked; nothing else."""
    scheme = url_scheme(url)
    return scheme is None or scheme in ALLOWED_SCHEMES


def is_external(url: str) -> bool:
    scheme = url_scheme(url)
    return scheme in ("http", "https") or url.lstrip().startswith(("//", "\\\\", "/\\"))


class SafeRenderer(RendererHTML):
    """markdown-it's HTML renderer with checked links and images shown as their alt text."""

    def link_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        href = str(token.attrGet("href") or "")
        if not href or not is_allowed_url(href):
            # The parser already leaves links that fail ``validateLink`` as text; this check
            # still holds if a rule or plugin added later builds a link of its own.
            token.attrs.pop("href", None)
        elif is_external(href):
            token.attrSet("rel", EXTERNAL_REL)
        return self.renderToken(tokens, idx, options, env)

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        alt = self.renderInlineAsText(token.children, options, env) if token.children else ""
        return f'<span class="md-image">[image: {escapeHtml(alt or "no description")}]</span>'


class SafeMarkdown(MarkdownIt):
    """CommonMark plus tables, with raw HTML off and only allow-listed link schemes."""

    def __init__(self) -> None:
        super().__init__(
            "commonmark",
            {"html": False, "linkify": False, "typographer": False},
            renderer_cls=SafeRenderer,
        )
        self.enable("table")

    def validateLink(self, url: str) -> bool:  # markdown-it calls it by this name
        return is_allowed_url(url)


_MARKDOWN = SafeMarkdown()


def render_markdown(text: str) -> Markup:
    """Markdown → HTML that is safe to put in a page as is (the only ``Markup`` from Markdown)."""
    return Markup(_MARKDOWN.render(text or ""))  # noqa: S704 (sanitised by construction, above)
