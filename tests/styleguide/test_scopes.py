"""Ignored scopes (quoted text, code, URLs) and the plain-text fast path."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from styleguide.scopes import (
    _MAYBE_BLOCKS,
    CODE,
    QUOTED_TEXT,
    SCOPES,
    URLS,
    _markdown_blocks,
    _quoted_paragraphs,
    scope,
)


def _visible(text: str) -> str:
    scoped = scope(text)
    return " ".join(scoped.masked[s:e] for s, e in scoped.blocks)


def test_quoted_customer_text_and_its_header_are_ignored() -> None:
    text = "Hi Dana,\n\nOn Mon, 2 Nov, Dana wrote:\n> This is unacceptable\n\nI fixed it."
    visible = _visible(text)
    assert "unacceptable" not in visible
    assert "wrote" not in visible
    assert "I fixed it." in visible


def test_code_and_urls_are_ignored_but_offsets_are_kept() -> None:
    text = (
        "Run `sync --force` or see [the guide](https://help.example/x) or www.fernhill.example."
        "\n\n```\nlog in\n```"
    )
    scoped = scope(text)
    assert len(scoped.masked) == len(text)
    assert "sync" not in scoped.masked
    assert "help.example" not in scoped.masked
    assert "the guide" in scoped.masked
    assert "log in" not in scoped.masked


def test_curly_apostrophes_are_straightened_in_place() -> None:
    scoped = scope("We can’t do that.")
    assert scoped.masked == "We can't do that."


plain_text = st.text(
    alphabet=st.sampled_from(list("abcdefgh XYZ,.!?'\n \t-*>#1`[]()<>:/")), max_size=300
).filter(lambda t: not _MAYBE_BLOCKS.search(t))


@given(plain_text)
def test_without_block_syntax_the_fast_path_agrees_with_markdown_it(text: str) -> None:
    wanted = (QUOTED_TEXT, CODE)
    blocks, ignored = _markdown_blocks(text, frozenset(wanted))
    fast = scope(text, wanted)
    assert list(fast.blocks) == blocks
    assert list(fast.ignored) == sorted(ignored)


markdown_text = st.lists(
    st.sampled_from(
        [
            "Hi Dana,",
            "plain words",
            "  indented",
            "    code",
            "\tcode",
            "",
            " ",
            "> quoted",
            ">",
            "- item",
            "* item",
            "1. first",
            "2) second",
            "```",
            "~~~",
            "# Heading",
            "---",
            "   three in",
            "On Mon, Dana wrote:",
            "lazy `code` [a](https://x.example/y)",
            "  - nested",
            "  ```",
            "     five in",
            "> - quoted item",
        ]
    ),
    max_size=25,
).map("\n".join)


@given(markdown_text)
def test_leaving_continuation_lines_out_of_the_parse_changes_no_block(text: str) -> None:
    wanted = frozenset((QUOTED_TEXT, CODE, URLS))
    condensed = _markdown_blocks(text, wanted)
    assert condensed == _markdown_blocks(text, wanted, condense=False)


def test_a_fence_in_a_list_item_ends_at_a_less_indented_line() -> None:
    text = "- item\n  ```\n  code\n  more\nprose after"
    blocks, ignored = _markdown_blocks(text, frozenset((CODE,)))
    assert [text[s:e] for s, e in blocks] == ["- item", "prose after"]
    assert [text[s:e] for s, e in ignored] == ["  ```\n  code\n  more"]


quoting_reply = st.lists(
    st.sampled_from(
        [
            "Hi Dana,",
            "plain words",
            "  two in",
            "",
            " ",
            "> quoted",
            ">",
            "> ",
            ">  two in",
            "   > three in",
            "> a `b` c",
            "> - a list in a quote",
            "On Mon, Dana wrote:",
            "lazy `code` [a](https://x.example/y)",
            "1990 was",
            "see www.fernhill.example",
        ]
    ),
    max_size=14,
).map("\n".join)


@given(quoting_reply)
def test_a_reply_quoting_plain_paragraphs_is_scoped_as_markdown_it_scopes_it(text: str) -> None:
    wanted = frozenset((QUOTED_TEXT, CODE, URLS))
    fast = _quoted_paragraphs(text, wanted)
    if fast is not None:
        blocks, ignored = _markdown_blocks(text, wanted, condense=False)
        assert (fast[0], sorted(fast[1])) == (blocks, sorted(ignored))


def test_a_quote_holding_a_list_goes_to_the_parser() -> None:
    assert _quoted_paragraphs("Hi\n\n> - one\n> - two", frozenset(SCOPES)) is None
    assert _quoted_paragraphs("Hi\n\n> one\n> two\n\nThanks", frozenset(SCOPES)) is not None
