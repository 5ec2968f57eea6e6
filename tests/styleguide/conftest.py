"""The demo card, compiled once, and a small card to build test cards from."""

from __future__ import annotations

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
