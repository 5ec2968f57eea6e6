from __future__ import annotations

import pytest

from kb.pii_vocabulary import CommonWords, general_vocabulary


@pytest.mark.parametrize("name", ["cl100k", "wordllama"])
def test_common_words_are_known_and_names_are_not(name: str) -> None:
    words = general_vocabulary(name)
    assert {"the", "account", "mark", "will"} <= words
    assert not {"sarah", "johnson", "schuchhardt", "okafor"} & words


def test_cl100k_knows_more_words_than_wordllama() -> None:
    assert {"verification", "invoice", "payroll"} <= general_vocabulary("cl100k")
    assert len(general_vocabulary("cl100k")) > 2 * len(general_vocabulary("wordllama"))


def test_none_means_stop_words_only() -> None:
    assert general_vocabulary("none") == frozenset()


def test_inflections_of_common_words_are_common() -> None:
    common = CommonWords(frozenset({"invoice", "two", "factor", "we"}))
    assert {"invoice", "invoices", "two-factor", "we've"} <= {
        w for w in ("invoice", "invoices", "two-factor", "we've", "schuchhardt") if w in common
    }
    assert "schuchhardt" not in common
    assert "williams-walker" not in common
