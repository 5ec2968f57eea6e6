"""Draft quality on the demo company: does the extractive composer answer what the KB covers, from
the right article, and say "needs a human" for what it does not?

The demo tickets (``kb/demo_data/tickets.jsonl``) are drafted in-process through
``DraftService.draft_reply`` over the demo KB, as ``tandem demo`` seeds it. The gold article of a
resolved ticket is derived from the human's ``final_reply``, never from the question: the public
article that the reply matches best under BM25 (``bm25s``, English stop words, the article's title
and plain text). Only public articles are candidates because only they may be quoted to a
customer. The gold is a proxy: a reply that paraphrases two articles names only one of them, which
is why the report also counts a citation of the runner-up.

Answerable: resolved English tickets whose outcome is an answer (solved, workaround, refunded),
outside the seeded uncovered topic. Uncovered: the seven "Scan to pay" QR-code tickets listed in
``kb/demo_data/SEEDED_PII.md``; no article mentions the feature, so any answer is a false one.

Run alone (prints per-ticket rows): ``.venv/bin/python -m tests.benchmarks.draft_quality``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bm25s
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo

from ingest.plain import plain_text
from kb.demo import articles_dir, demo_tickets
from retrieval.drafting import DraftService
from webapp import create_app
from webapp.cli import main as cli
from webapp.context import tandem

UNCOVERED = frozenset(
    ["FH-10124", "FH-10163", "FH-10177", "FH-10221", "FH-10296", "FH-10350", "FH-10415"]
)
ANSWERED = frozenset(["solved", "workaround", "refunded"])


@dataclass(frozen=True)
class Outcome:
    """One drafted ticket: what the draft did, and what the human's reply says it should."""

    ticket: str
    kind: str  # answerable | uncovered
    gold: tuple[str, ...]  # best BM25 matches of the final reply, best first
    answered: bool
    cited: tuple[str, ...]  # doc ids cited in customer-facing text, in order
    confidence: float

    @property
    def right_doc(self) -> bool:
        return self.answered and bool(self.cited) and self.cited[0] == self.gold[0]

    @property
    def near_doc(self) -> bool:
        return self.answered and bool(self.cited) and self.cited[0] in self.gold[:2]


@dataclass(frozen=True)
class Quality:
    outcomes: Sequence[Outcome]

    def _of(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == kind]

    @property
    def answerable(self) -> int:
        return len(self._of("answerable"))

    @property
    def uncovered(self) -> int:
        return len(self._of("uncovered"))

    def answer_rate(self) -> float:
        found = self._of("answerable")
        return sum(o.answered for o in found) / max(len(found), 1)

    def right_doc_rate(self) -> float:
        """Right document among all answerable tickets (a needs-human draft counts as wrong)."""
        found = self._of("answerable")
        return sum(o.right_doc for o in found) / max(len(found), 1)

    def right_when_answered(self) -> float:
        found = [o for o in self._of("answerable") if o.answered]
        return sum(o.right_doc for o in found) / max(len(found), 1)

    def near_when_answered(self) -> float:
        found = [o for o in self._of("answerable") if o.answered]
        return sum(o.near_doc for o in found) / max(len(found), 1)

    def false_answer_rate(self) -> float:
        found = self._of("uncovered")
        return sum(o.answered for o in found) / max(len(found), 1)

    def row(self, name: str) -> str:
        figures = [
            f"{self.answer_rate():.3f}",
            f"{self.right_doc_rate():.3f}",
            f"{self.right_when_answered():.3f}",
            f"{self.near_when_answered():.3f}",
            f"{self.false_answer_rate():.3f} ({sum(o.answered for o in self._of('uncovered'))}"
            f" of {self.uncovered})",
        ]
        return f"| {name} | " + " | ".join(figures) + " |"


HEADER = (
    "| composer | answer rate | right doc (all answerable) | right doc (when answered) "
    "| gold or runner-up (when answered) | false answers (uncovered) |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: |"
)


# --- the gold ----------------------------------------------------------------------------------


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    _, head, body = text.split("---", 2)
    meta = dict(line.split(": ", 1) for line in head.strip().splitlines() if ": " in line)
    return meta, body


class GoldArticles:
    """BM25 over the demo KB's public, approved articles."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        texts = []
        for entry in sorted(articles_dir().iterdir(), key=lambda e: e.name):
            if not entry.name.endswith(".md"):
                continue
            meta, body = _front_matter(entry.read_text("utf-8"))
            if meta.get("source") == "public" and meta.get("approved") == "true":
                self.ids.append(meta["id"])
                texts.append(f"{meta.get('title', '')}\n{plain_text(body)}")
        self.bm25 = bm25s.BM25()
        self.bm25.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), False)

    def best(self, reply: str, k: int = 2) -> tuple[str, ...]:
        tokens = bm25s.tokenize([reply], stopwords="en", show_progress=False)
        found, _ = self.bm25.retrieve(tokens, k=k, show_progress=False)
        return tuple(self.ids[i] for i in found[0])


def kind_of(ticket: dict[str, Any]) -> str | None:
    if ticket["id"] in UNCOVERED:
        return "uncovered"
    if (
        ticket.get("final_reply")
        and ticket.get("outcome") in ANSWERED
        and ticket["labels"].get("language") == "en"
    ):
        return "answerable"
    return None


# --- drafting ----------------------------------------------------------------------------------


@contextmanager
def demo_app(work: Path) -> Iterator[Flask]:
    """The demo company seeded as ``tandem demo --no-serve`` seeds it, in ``work``."""
    app = create_app({"data_dir": str(work / "var"), "log_level": "WARNING"})
    result = CliRunner().invoke(cli, ["demo", "--no-serve"], obj=ScriptInfo(create_app=lambda: app))
    if result.exit_code != 0:
        raise SystemExit(f"tandem demo failed:\n{result.output}")
    try:
        yield app
    finally:
        tandem(app).close()


def as_request(ticket: dict[str, Any]) -> dict[str, Any]:
    """The ticket as a helpdesk sends it: no labels, no outcome, no final reply."""
    keys = ("id", "channel", "subject", "body", "customer", "history")
    return {key: ticket[key] for key in keys if key in ticket}


def draft_outcome(
    drafts: DraftService, ticket: dict[str, Any], kind: str, gold: GoldArticles
) -> Outcome:
    draft = drafts.draft_reply(as_request(ticket), actor="bench-drafts")
    document = draft.document
    public = [c["doc_id"] for c in document["citations"] if c["visibility"] == "public"]
    return Outcome(
        ticket=ticket["id"],
        kind=kind,
        gold=gold.best(ticket["final_reply"]) if ticket.get("final_reply") else (),
        answered=not document["draft"]["needs_human"],
        cited=tuple(dict.fromkeys(public)),
        confidence=float(document["confidence"]),
    )


def evaluate(app: Flask) -> Quality:
    gold = GoldArticles()
    drafts = tandem(app).drafts()
    outcomes = []
    for ticket in demo_tickets():
        kind = kind_of(ticket)
        if kind is not None:
            outcomes.append(draft_outcome(drafts, ticket, kind, gold))
    return Quality(outcomes)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="tandem-bench-quality-") as scratch,
        demo_app(Path(scratch)) as app,
    ):
        quality = evaluate(app)
    for o in quality.outcomes:
        mark = "ok " if o.right_doc else ("FA " if o.kind == "uncovered" and o.answered else "   ")
        print(
            f"{mark}{o.ticket} {o.kind:<10} answered={o.answered!s:<5} conf={o.confidence:.2f} "
            f"cited={','.join(o.cited[:2]) or '-':<45} gold={','.join(o.gold)}"
        )
    print(HEADER)
    print(quality.row("current"))
    print(f"{quality.answerable} answerable, {quality.uncovered} uncovered tickets")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
