"""The prose view: code and markup blanked, offsets and lines kept."""

from __future__ import annotations

import pytest

from kb.pii_markup import HEADING, prose_view


def blanked(text: str, *parts: str) -> str:
    """``text`` with each of ``parts`` replaced by blanks (line breaks kept)."""
    for part in parts:
        text = text.replace(part, "".join("\n" if c == "\n" else " " for c in part))
    return text


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (
            'Print it:\n\n```csharp\nConsole.WriteLine("Alice");\n```\nDone',
            '```csharp\nConsole.WriteLine("Alice");\n```',
        ),
        ("Run:\n~~~\nAlice = Bob\n~~~\n", "~~~\nAlice = Bob\n~~~"),
        ("An unclosed fence:\n```\nAlice Moreno\nBob", "```\nAlice Moreno\nBob"),
        (
            "  1. Step one\n\n     ```\n     put Alice\n     ```\n",
            "     ```\n     put Alice\n     ```",
        ),
        (
            'Example:\n\n    var user = new User("Alice");\n\nThen',
            '    var user = new User("Alice");',
        ),
        ("Call `java.util.List` here", "`java.util.List`"),
        (
            "See https://example.com/Alice_Moreno?x=1 for more",
            "https://example.com/Alice_Moreno?x=1",
        ),
        ("See www.example.com/Alice now", "www.example.com/Alice"),
        ('# Query<a name="API_Query_v20111205"></a>', '<a name="API_Query_v20111205"></a>'),
        ("<!-- Alice Moreno --> text", "<!-- Alice Moreno -->"),
    ],
)
def test_code_urls_and_tags_are_blanked(text: str, code: str) -> None:
    view = prose_view(text)
    assert len(view) == len(text)
    assert view.count("\n") == text.count("\n")
    assert view.replace(" ", "") == blanked(text, code).replace(" ", "")
    assert code not in view


def test_a_double_backtick_span_is_blanked_with_its_backtick() -> None:
    assert prose_view("Call ``a ` b`` here") == "Call " + " " * 9 + " here"


def test_a_link_keeps_its_text_and_loses_its_target() -> None:
    text = 'See [Primary Key](HowItWorks.md#Primary "title") and [Getting Started](x.md).'
    assert prose_view(text) == blanked(text, '](HowItWorks.md#Primary "title")', "](x.md)")


def test_markdown_escapes_become_blanks() -> None:
    assert prose_view(r"Use the \.NET SDK \(version 3\)\.") == "Use the  .NET SDK  (version 3 ) ."


@pytest.mark.parametrize(
    "text",
    [
        "Hi Ana,\n\nPlease call Alice Moreno tomorrow.\n\nThanks,\nBob",
        "Write to Tom Baker <tom@example.com> or ana@example.com.",  # an address is no tag
        "Costs 5 < 6 and 7 > 3; a lone ` backtick stays.",
        "1. Step one\n\n    Still step one: ask Alice Moreno.",  # a list item's paragraph
    ],
)
def test_prose_is_left_alone(text: str) -> None:
    assert prose_view(text) == text


def test_a_heading_is_read_from_the_view() -> None:
    view = prose_view(
        '# GetIceServerConfig<a name="x"></a>\n\n```\n# not a heading\n```\n## Syntax'
    )
    assert [h.strip() for h in HEADING.findall(view)] == ["GetIceServerConfig", "Syntax"]


def test_an_indented_paragraph_without_code_is_prose() -> None:
    text = "Hi,\n\n    Ana Lima wrote that the payout is late, again.\n\nThanks"
    assert prose_view(text) == text
