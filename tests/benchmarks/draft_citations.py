"""Citation precision of drafts: is every cited sentence really in the chunk it cites?

The 100 AWS questions go to ``POST /api/v1/drafts`` of a running ``tandem serve`` over the
14-guide help center, each as an email ticket whose body is the question (no subject, as a form
or a pasted question arrives). Every customer-facing line of a draft that carries ``[n]`` (answer
sentences, next steps, the recap) is checked against the text of chunk ``n``, read from Tandem's
own SQL chunks table:

- *strict*: the sentence, less what the composer adds around a quote (the ``[n]`` marker, a step
  number, "To recap:"), appears verbatim in the cited chunk rendered as plain text (Markdown
  links, emphasis and escapes removed, whitespace collapsed: what a customer reads); a quoted
  table row must be the cited row's cells, verbatim and in order (the composer writes
  "first: second; third." where the table has pipes);
- *lenient*: at least 90 % of the sentence's content words (stop words aside) occur in the chunk;
- *at its offsets*: the citation's ``start``/``end`` cut exactly that sentence out of the chunk.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from kb.database import Database
from kb.documents import Chunk
from retrieval.grounding import content_words
from retrieval.passages import plain
from tests.benchmarks.bench_retrieval import Question

LENIENT = 0.9
_MARKER = re.compile(r"\s*\[(\d+)\]$")
_STEP = re.compile(r"^\d+\.\s+")
_RECAP = "To recap: "
_TABLE_ROW = re.compile(r"^\s*\|")


@dataclass
class Precision:
    """Counts over every cited draft sentence, and per question whether it was answered."""

    sentences: int = 0
    strict: int = 0
    lenient: int = 0
    placed: int = 0
    answered: int = 0
    needs_human: int = 0
    gold_cited: int = 0  # answered drafts whose first citation is the question's gold page
    failures: list[str] = field(default_factory=list)

    def share(self, count: int) -> float:
        return count / max(self.sentences, 1)


def draft_request(number: int, question: Question) -> dict[str, Any]:
    return {
        "ticket": {
            "id": f"AWS-{number:03d}",
            "channel": "email",
            "subject": "",
            "body": question.text,
            "customer": {"name": "Sam Rivera", "tier": "standard"},
        }
    }


def post_draft(base: str, token: str, payload: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """One draft through the API, and its round-trip seconds."""
    request = urllib.request.Request(  # noqa: S310 (our server, on the loopback address)
        base + "/api/v1/drafts",
        method="POST",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 (loopback)
        body: dict[str, Any] = json.loads(response.read())
    return body, time.perf_counter() - started


def cited_lines(draft: dict[str, Any]) -> Iterable[tuple[str, int]]:
    """(sentence as quoted, citation number) for each customer-facing line that cites."""
    sections = draft["draft"]["sections"]
    lines = [*sections["answer"], *sections["next_steps"]]
    if sections.get("recap"):
        lines.append(sections["recap"])
    for line in lines:
        marker = _MARKER.search(line)
        if marker is None:
            continue
        sentence = _STEP.sub("", line[: marker.start()]).removeprefix(_RECAP)
        yield sentence, int(marker.group(1))


def row_quoted(sentence: str, row: str) -> bool:
    """A table row is quoted as "first cell: other cells; …" (the composer's separators in
    place of the pipes): strict means the cells are the row's, verbatim and in order."""
    cells = [cell for cell in (plain(c) for c in row.strip().strip("|").split("|")) if cell]
    joined = f"{cells[0]}: {'; '.join(cells[1:])}" if len(cells) > 1 else ""
    return bool(joined) and plain(sentence).removesuffix(".") == joined.removesuffix(".")


def lenient_match(sentence: str, chunk: str) -> bool:
    words = content_words(sentence)
    available = set(content_words(plain(chunk)))
    return bool(words) and sum(w in available for w in words) / len(words) >= LENIENT


def check(draft: dict[str, Any], chunks: dict[str, str], gold: str, tally: Precision) -> None:
    """Add one draft's sentences and outcome to ``tally``."""
    if draft["draft"]["needs_human"]:
        tally.needs_human += 1
        return
    tally.answered += 1
    citations = {c["n"]: c for c in draft["citations"]}
    public = [c for c in draft["citations"] if c["visibility"] == "public"]
    tally.gold_cited += bool(public) and public[0]["path"] == gold
    for sentence, n in cited_lines(draft):
        citation = citations[n]
        chunk = chunks[citation["chunk_id"]]
        source = chunk[citation["start"] : citation["end"]]
        tally.sentences += 1
        if _TABLE_ROW.match(source):
            strict = placed = row_quoted(sentence, source)
        else:
            strict = plain(sentence) in plain(chunk)
            placed = plain(source) == plain(sentence)
        tally.strict += strict
        tally.placed += placed
        tally.lenient += lenient_match(sentence, chunk)
        if not strict:
            tally.failures.append(f"{draft['ticket']['id']}: {sentence!r} [{citation['chunk_id']}]")


def chunk_texts(database_url: str, chunk_ids: Sequence[str]) -> dict[str, str]:
    """The cited chunks' stored (redacted) text, from Tandem's SQL chunks table."""
    database = Database(database_url)
    try:
        with database.transaction() as session:
            rows = session.execute(
                select(Chunk.chunk_id, Chunk.text).where(Chunk.chunk_id.in_(list(chunk_ids)))
            ).all()
    finally:
        database.dispose()
    return {str(row[0]): str(row[1]) for row in rows}


def measure(
    base: str, token: str, questions: Sequence[Question], database_url: str
) -> tuple[Precision, list[dict[str, Any]]]:
    drafts = [post_draft(base, token, draft_request(i, q))[0] for i, q in enumerate(questions)]
    cited = {c["chunk_id"] for d in drafts for c in d["citations"]}
    chunks = chunk_texts(database_url, sorted(cited))
    tally = Precision()
    for draft, question in zip(drafts, questions, strict=True):
        check(draft, chunks, question.path, tally)
    return tally, drafts


def report_lines(tally: Precision, total: int) -> list[str]:
    return [
        "| cited draft sentences | strict (verbatim in the cited chunk) | lenient (≥ 90 % of "
        "content words) | at the citation's offsets |",
        "| ---: | ---: | ---: | ---: |",
        f"| {tally.sentences} | {tally.share(tally.strict):.3f} | {tally.share(tally.lenient):.3f}"
        f" | {tally.share(tally.placed):.3f} |",
        "",
        f"Answered {tally.answered} of {total} questions, {tally.needs_human} drafts said "
        f'"needs a human"; the first cited page is the gold page in {tally.gold_cited} of the '
        f"{tally.answered} answered ({tally.gold_cited / max(tally.answered, 1):.2f}; "
        f"{tally.gold_cited / max(total, 1):.2f} of all {total}).",
    ]
