from __future__ import annotations

from ingest.chunking import Chunker

GUIDE = """# Quotas and Constraints for Amazon RDS<a name="CHAP_Limits"></a>

Each account has quotas\\.

## The *max\\_connections* parameter<a name="RDS_Limits.MaxConnections"></a>

The maximum number of connections is set in the parameter group\\.
"""


def test_heading_paths_read_as_text_without_anchors_escapes_or_emphasis() -> None:
    pieces = Chunker().split("Quotas and Constraints for Amazon RDS", GUIDE)

    assert [p.heading for p in pieces] == [
        "Quotas and Constraints for Amazon RDS",
        "Quotas and Constraints for Amazon RDS > The max_connections parameter",
    ]


def test_a_heading_keeps_underscores_inside_words_and_drops_emphasis_marks() -> None:
    body = "# Setup\n\nText.\n\n## Set __retry_limit__ in `config_file`\n\nMore text.\n"

    pieces = Chunker().split("Setup", body)

    assert pieces[-1].heading == "Setup > Set retry_limit in config_file"
