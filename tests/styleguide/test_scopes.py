"""Ignored scopes (quoted text, code, URLs) and the plain-text fast path."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from styleguide.scopes import _MAYBE_BLOCKS, CODE, QUOTED_TEXT, _markdown_blocks, scope


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
