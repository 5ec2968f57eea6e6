"""Quotable sentences of a chunk, each with its exact place in the chunk."""

from __future__ import annotations

from retrieval.passages import passages, plain

CHUNK = """## Storage

For details, see [Understanding Burst vs. Baseline Performance with GP2](https://example.com/gp2). \
Volumes grow on demand.

| Setting | Default | Notes |
| --- | --- | --- |
| Health check interval | 30 seconds | Between 5 and 300. |

1. Open the **Storage** page.
"""


def test_a_full_stop_inside_a_link_does_not_end_the_sentence() -> None:
    texts = [p.text for p in passages(CHUNK)]
    assert "For details, see Understanding Burst vs. Baseline Performance with GP2." in texts
    assert not any("](" in text or text.startswith("Baseline") for text in texts)


def test_a_table_row_is_quoted_as_its_cells_and_the_header_is_not() -> None:
    texts = [p.text for p in passages(CHUNK)]
    assert "Health check interval: 30 seconds; Between 5 and 300." in texts
    assert not any(text.startswith("Setting") for text in texts)


def test_each_passage_offsets_cut_its_own_text_out_of_the_chunk() -> None:
    found = passages(CHUNK)
    assert [p.is_step for p in found] == [False, False, False, True]
    for passage in found[:2] + found[3:]:
        assert plain(CHUNK[passage.start : passage.end]) == passage.text
