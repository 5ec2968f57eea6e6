"""The demo card, compiled once, and a small card to build test cards from."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from styleguide.card import CompiledCard
from styleguide.checker import validate

MINIMAL = """\
effective_week: 2026-W48
banned_phrases:
  - id: ban-unfortunately
    pattern: unfortunately
    message: Skip "unfortunately".
    severity: warning
    examples:
      good: ["Monthly plans are not refunded for part-months."]
      bad: ["Unfortunately, monthly plans are not refunded."]
"""


def demo_text() -> str:
    return resources.files("config").joinpath("style_card.yaml").read_text("utf-8")


@pytest.fixture(scope="session")
def demo_card() -> CompiledCard:
    return validate(demo_text()).card


def regex_card(pattern: str, *, good: str, bad: str) -> str:
    """MINIMAL plus one banned regex, ``ban-pattern`` (the pattern written as a JSON string,
    which YAML reads as is, backslashes included)."""
    return MINIMAL + (
        "  - id: ban-pattern\n"
        f"    pattern: {json.dumps(pattern)}\n"
        "    regex: true\n"
        "    message: Rephrase this.\n"
        "    severity: suggestion\n"
        "    examples:\n"
        f"      good: [{json.dumps(good)}]\n"
        f"      bad: [{json.dumps(bad)}]\n"
    )


# "Words ending in -ly": fine on any reply, but it scans a 40,000-letter "word" in quadratic
# time (about a second), so with a 1 ms limit that reply always runs out of time.
ADVERBS = regex_card(r"\w+ly\b", good="We sent it.", bad="We quickly sent it.")
SLOW_REPLY = "Unfortunately the export failed.\n\n" + "a" * 40_000 + "lyx"
