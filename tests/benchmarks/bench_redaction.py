"""Redaction benchmark: Tandem's redactor against stock Presidio on the same labelled corpus.

Run ``.venv/bin/python -m tests.benchmarks.bench_redaction`` (or ``make bench``). It prints a
Markdown section and writes it to ``docs/benchmarks.md`` under ``## Redaction``, leaving the
other sections alone.

Stock means ``AnalyzerEngine`` with its default recognizers and settings, on the same spaCy
model (``NlpEngineProvider`` with only the model name changed, since the default model would be
downloaded), tldextract pointed at its bundled suffix list, and ``AnonymizerEngine`` with its
default operators: per text, as an application would call it. Scores are span-level per entity
type: a finding is correct when it overlaps a labelled value of its type, and a value is found
when findings of its type cover every letter and digit of it. F2 weighs recall twice as much as
precision, because a missed value leaks and an extra one only hides a word.

A second part measures Tandem alone on real technical documentation, where nothing is labelled
and almost nothing is personal: a fixed fifth of the AWS help-center pages (the pages whose
path's CRC-32 is divisible by 5) read from ``/work/shared/data/aws-docs/help-center-14.tar.gz``.
It reports speed, PERSON findings per MB (nearly all of them false: product names, code
identifiers, the docs' example people) and the most frequent values found. The part is skipped,
with a message, when the archive is absent (``--aws PATH`` names another copy).
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import tarfile
import time
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider
from presidio_anonymizer import AnonymizerEngine

from kb.pii_patterns import use_offline_public_suffix_list
from kb.redaction import Redactor
from tests.benchmarks.pii_corpus import (
    DETAIL_ENTITIES,
    ENTITIES,
    CorpusBuilder,
    DetailsBuilder,
    LabelledText,
)
from tests.benchmarks.report import DOCS, write_section

COMMAND = ".venv/bin/python -m tests.benchmarks.bench_redaction"
AWS_ARCHIVE = Path("/work/shared/data/aws-docs/help-center-14.tar.gz")
AWS_SAMPLE_EVERY = 5  # one page in five, chosen by the CRC-32 of its path
INGEST_BATCH = 32  # documents per redact_many call, as ingest.pipeline.BATCH
# The same sample measured with the redactor as it was before names were looked for in prose
# only (2026-11-27): kept for comparison, since that code is gone.
AWS_BEFORE = "1,352 PERSON findings per MB at 108 KB/s (CPU)"
Found = list[tuple[str, int, int]]


@dataclass
class Scores:
    truth: int = 0
    found: int = 0  # labelled values fully covered
    predicted: int = 0
    correct: int = 0  # predictions overlapping a labelled value of their type

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.truth if self.truth else 1.0

    @property
    def f2(self) -> float:
        p, r = self.precision, self.recall
        return 5 * p * r / (4 * p + r) if p + r else 0.0


def score(
    corpus: Sequence[LabelledText],
    predictions: Sequence[Found],
    entities: Sequence[str] = ENTITIES,
) -> dict[str, Scores]:
    """Per-entity scores, plus "all" (micro) and "any type" (a value hidden under any label),
    for the labels and predictions of the types ``entities``."""
    table = {name: Scores() for name in (*entities, "all", "any type")}
    for doc, found in zip(corpus, predictions, strict=True):
        typed = [f for f in found if f[0] in entities]
        for entity_type, start, end in doc.spans:
            if entity_type not in entities:
                continue
            same_type = [f for f in typed if f[0] == entity_type]
            for name, covering in (
                (entity_type, same_type),
                ("all", same_type),
                ("any type", found),
            ):
                table[name].truth += 1
                table[name].found += _covered(doc.text, start, end, covering)
        for entity_type, start, end in typed:
            hit = any(t == entity_type and s < end and start < e for t, s, e in doc.spans)
            for name in (entity_type, "all"):
                table[name].predicted += 1
                table[name].correct += hit
    return table


def _covered(text: str, start: int, end: int, found: Found) -> bool:
    return all(
        not text[i].isalnum() or any(s <= i < e for _, s, e in found) for i in range(start, end)
    )


def stock_presidio(model: str) -> tuple[AnalyzerEngine, AnonymizerEngine]:
    use_offline_public_suffix_list()
    config = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]}
    engine = NlpEngineProvider(nlp_configuration=config).create_engine()
    return AnalyzerEngine(nlp_engine=engine), AnonymizerEngine()  # type: ignore[no-untyped-call]


@dataclass
class Timing:
    """The best of several runs: wall-clock seconds, and this process's CPU seconds (which
    other work on a shared machine disturbs much less)."""

    wall: float
    cpu: float


def timed(run: Callable[[], Any], repeat: int) -> Timing:
    best = Timing(float("inf"), float("inf"))
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        best.wall = min(best.wall, time.perf_counter() - wall)
        best.cpu = min(best.cpu, time.process_time() - cpu)
    return best


def main(argv: Sequence[str] = ()) -> int:
    """Run the benchmark; ``argv`` holds its options (none when ``make bench`` calls it)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--kb", type=int, default=200, help="corpus size in KB (default 200)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--details-kb",
        type=int,
        default=60,
        help="size in KB of the tickets with bank details and addresses (default 60)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per pipeline; best counts")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--aws",
        type=Path,
        default=AWS_ARCHIVE,
        help=f"the AWS help-center archive for the technical-docs part (default {AWS_ARCHIVE})",
    )
    args = parser.parse_args(argv)
    logging.getLogger("presidio-analyzer").setLevel(logging.WARNING)

    corpus = CorpusBuilder(args.seed).build(args.kb * 1024)
    texts = [doc.text for doc in corpus]
    size_kb = sum(len(t.encode()) for t in texts) / 1024
    print(f"corpus: {len(texts)} texts, {size_kb:.0f} KB", file=sys.stderr)

    redactor = Redactor.from_policy()
    analyzer, anonymizer = stock_presidio(redactor.policy.spacy_model)

    def stock_run() -> list[Found]:
        out = []
        for text in texts:
            results = analyzer.analyze(text, language="en")
            # Presidio's documented use: the analyzer's results go straight to the anonymizer.
            anonymizer.anonymize(text, results)  # type: ignore[arg-type]
            out.append([(r.entity_type, r.start, r.end) for r in results])
        return out

    # Warm both up (lazy regex compilation, spaCy's first batch) on a few texts.
    analyzer.analyze(texts[0], language="en")
    redactor.redact_many(texts[:5])
    stock_found: list[Found] = []

    def keep_stock_findings() -> None:
        stock_found[:] = stock_run()

    timings = {
        "stock": timed(keep_stock_findings, args.repeat),
        "batch": timed(lambda: redactor.redact_many(texts), args.repeat),
        "single": timed(lambda: [redactor.redact(t) for t in texts], args.repeat),
    }
    tandem_found = [
        [(f.entity_type, f.start, f.end) for f in doc] for doc in redactor.find_many(texts)
    ]
    section = report(
        corpus,
        size_kb,
        timings,
        score(corpus, stock_found),
        score(corpus, tandem_found),
        redactor.policy.spacy_model,
        args.repeat,
    )
    # Bank details and addresses: their own tickets, scored together with the main corpus
    # (where every such finding is a false alarm); not timed, so the speeds stay comparable.
    details = DetailsBuilder(args.seed).build(args.details_kb * 1024)
    detail_texts = [doc.text for doc in details]
    stock_details = [
        [(r.entity_type, r.start, r.end) for r in analyzer.analyze(text, language="en")]
        for text in detail_texts
    ]
    tandem_details = [
        [(f.entity_type, f.start, f.end) for f in doc] for doc in redactor.find_many(detail_texts)
    ]
    both = [*corpus, *details]
    section += "\n" + details_report(
        details,
        {e: hidden(both, [*stock_found, *stock_details], e) for e in (*DETAIL_ENTITIES, "all")},
        score(both, [*tandem_found, *tandem_details], DETAIL_ENTITIES),
    )
    pages = aws_pages(args.aws)
    if pages:
        section += "\n" + aws_report(redactor, pages, args.repeat)
    else:
        print(f"{args.aws} not found: skipping the technical-documentation part", file=sys.stderr)
    print(section)
    if not args.no_write:
        write_section("Redaction", section)
        print(f"written to {DOCS}", file=sys.stderr)
    return 0


def report(
    corpus: Sequence[LabelledText],
    size_kb: float,
    timings: dict[str, Timing],
    stock: dict[str, Scores],
    tandem: dict[str, Scores],
    model: str,
    repeat: int,
) -> str:
    per_type = {e: sum(t == e for doc in corpus for t, _, _ in doc.spans) for e in ENTITIES}
    lines = [
        f"Measured {date.today().isoformat()} with `{COMMAND}` on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}. Corpus: {len(corpus)} "
        f"seeded synthetic support texts ({size_kb:.0f} KB: tickets, knowledge-base excerpts, "
        "agent replies) with "
        + ", ".join(f"{n} {e}" for e, n in per_type.items())
        + " values; see `tests/benchmarks/pii_corpus.py`. Both sides use the spaCy model "
        f"`{model}`; stock is `AnalyzerEngine` defaults plus `AnonymizerEngine`, per text.",
        "",
        f"Times are the best of {repeat} runs: wall clock, and the process's CPU time (the "
        "machine may be shared; CPU time is the steadier figure, though a busy machine slows "
        f"it too: the load average was {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at "
        "the end of the timings).",
        "",
        "| pipeline | wall s | KB/s (wall) | × stock (wall) | CPU s | KB/s (CPU) | × stock (CPU) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    stock_time = timings["stock"]
    for name, label in (
        ("stock", "stock Presidio, per text"),
        ("batch", "Tandem `redact_many` (one batch)"),
        ("single", "Tandem `redact`, per text"),
    ):
        run = timings[name]
        lines.append(
            f"| {label} | {run.wall:.2f} | {size_kb / run.wall:.1f} "
            f"| {stock_time.wall / run.wall:.1f} | {run.cpu:.2f} | {size_kb / run.cpu:.1f} "
            f"| {stock_time.cpu / run.cpu:.1f} |"
        )
    lines += [
        "",
        "| entity | values | stock P | stock R | stock F2 | Tandem P | Tandem R | Tandem F2 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in (*ENTITIES, "all", "any type"):
        s, t = stock[name], tandem[name]
        lines.append(
            f"| {name} | {s.truth} | {s.precision:.3f} | {s.recall:.3f} | {s.f2:.3f} "
            f"| {t.precision:.3f} | {t.recall:.3f} | {t.f2:.3f} |"
        )
    lines += [
        "",
        '"all" is micro-averaged over the five types; "any type" counts a value as hidden when '
        "any finding covers it, whatever its label (stock labels some names LOCATION, for "
        "instance), and has no precision of its own.",
        "",
        "Caveats: the corpus is synthetic, and its tickets use the greetings, sign-offs and "
        "introductions that Tandem's name rules look for, so Tandem's PERSON recall here is an "
        "upper bound for real tickets (names mid-sentence rest on the spaCy model alone). Both "
        "sides lose precision on values the corpus does not label: the example IBANs and phone "
        "numbers in the knowledge-base text, surnames inside company names. Speed ratios move "
        "with the machine's load; compare runs on a quiet machine.",
    ]
    return "\n".join(lines) + "\n"


def hidden(corpus: Sequence[LabelledText], predictions: Sequence[Found], entity: str) -> float:
    """The share of the labelled values of ``entity`` ("all": of the detail types) that
    findings of any type cover."""
    types = DETAIL_ENTITIES if entity == "all" else (entity,)
    values = [
        _covered(doc.text, start, end, found)
        for doc, found in zip(corpus, predictions, strict=True)
        for entity_type, start, end in doc.spans
        if entity_type in types
    ]
    return sum(values) / len(values) if values else 1.0


def details_report(
    details: Sequence[LabelledText], stock: dict[str, float], tandem: dict[str, Scores]
) -> str:
    """The table for bank details and postal addresses."""
    size_kb = sum(len(doc.text.encode()) for doc in details) / 1024
    lines = [
        "### Bank details, addresses, National Insurance numbers, dates of birth",
        "",
        f"{len(details)} more seeded tickets ({size_kb:.0f} KB, `DetailsBuilder` in "
        "`tests/benchmarks/pii_corpus.py`, its own random stream so the corpus above is "
        "unchanged) with UK sort codes, bank account numbers (UK, some US), postal "
        "addresses (UK, US, German, French; on one line, or written out in a signature), "
        "National Insurance numbers and dates of birth, next to look-alikes: order and "
        "invoice numbers, British dates, invoice dates, error codes, versions, an AWS account "
        "id, a part number. Scored over these tickets and the corpus above together, so a "
        "finding of these types in the corpus above counts as a false alarm. Stock Presidio "
        "has none of these types under these names (its `US_BANK_NUMBER` and `UK_NINO` need "
        "context its enhancer finds; spaCy labels some places `LOCATION` and dates "
        '`DATE_TIME`), so only its "any type" recall is shown: the share of the values that '
        "some stock finding covered.",
        "",
        "Caveat: the phrasings of these tickets were written along with the recognizers "
        "(`kb/pii_bank.py`, `kb/pii_address.py`, `kb/pii_identity.py`); a few were written "
        "afterwards and found two gaps, since fixed (an account number before its sort code; "
        '"account N sort N" with no other bank word). Read the figures as an upper bound; '
        "the technical-documentation part below shows what they cost in false alarms.",
        "",
        "| entity | values | stock R (any type) | Tandem P | Tandem R | Tandem F2 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in (*DETAIL_ENTITIES, "all"):
        t = tandem[name]
        lines.append(
            f"| {name} | {t.truth} | {stock[name]:.3f} | {t.precision:.3f} | {t.recall:.3f} "
            f"| {t.f2:.3f} |"
        )
    return "\n".join(lines) + "\n"


def aws_pages(archive: Path) -> list[str]:
    """The fixed sample of AWS help-center pages (Markdown), or [] without the archive."""
    if not archive.is_file():
        return []
    pages: dict[str, str] = {}
    # Streamed in one pass: the sample is chosen by name, not by position in a sorted list.
    with tarfile.open(archive, mode="r|gz") as tar:
        for member in tar:
            name = member.name
            if not (member.isfile() and name.endswith(".md") and "/doc_source/" in name):
                continue
            if zlib.crc32(name.encode()) % AWS_SAMPLE_EVERY == 0:
                page = tar.extractfile(member)
                if page is not None:
                    pages[name] = page.read().decode("utf-8")
    return [pages[name] for name in sorted(pages)]


def aws_report(redactor: Redactor, pages: Sequence[str], repeat: int) -> str:
    """Speed and PERSON findings on the AWS sample, redacted in ingestion-sized batches."""
    batches = [pages[i : i + INGEST_BATCH] for i in range(0, len(pages), INGEST_BATCH)]
    run = timed(lambda: [redactor.redact_many(batch) for batch in batches], repeat)
    names: Counter[str] = Counter()
    per_type: Counter[str] = Counter()
    for batch in batches:
        for text, found in zip(batch, redactor.find_many(batch), strict=True):
            per_type.update(f.entity_type for f in found)
            names.update(text[f.start : f.end] for f in found if f.entity_type == "PERSON")
    mb = sum(len(p.encode()) for p in pages) / 1e6
    kb = mb * 1e6 / 1024
    details = ", ".join(
        f"{per_type[t]} {t} ({per_type[t] / mb:.2f} per MB)" for t in DETAIL_ENTITIES
    )
    top = ", ".join(f"`{_inline(value)}` {n}" for value, n in names.most_common(15))
    return "\n".join(
        [
            "### Technical documentation",
            "",
            f"{len(pages)} AWS help-center pages ({mb:.1f} MB of Markdown; one in "
            f"{AWS_SAMPLE_EVERY} of `{AWS_ARCHIVE.name}`, see the module docstring), redacted "
            f"with `redact_many` in batches of {INGEST_BATCH} as ingestion does. Nothing there "
            "is labelled and almost nothing is personal data, so this measures speed and "
            "false alarms.",
            "",
            "| pages | MB | wall s | KB/s (wall) | CPU s | KB/s (CPU) | PERSON | PERSON per MB "
            "| other findings |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
            f"| {len(pages)} | {mb:.1f} | {run.wall:.2f} | {kb / run.wall:.0f} | {run.cpu:.2f} "
            f"| {kb / run.cpu:.0f} | {per_type['PERSON']} | {per_type['PERSON'] / mb:.1f} | "
            + (
                ", ".join(f"{n} {t}" for t, n in sorted(per_type.items()) if t != "PERSON")
                or "none"
            )
            + " |",
            "",
            f"Most frequent PERSON values: {top or 'none'}.",
            "",
            f"Bank details, addresses, National Insurance numbers and dates of birth found "
            f"(all false alarms here, but for the docs' own example addresses): {details}.",
            "",
            f"Before names were looked for in prose only, this sample gave {AWS_BEFORE}, "
            "mostly code identifiers (`String`, `S3`, `iam`, `environment\\.`) and product "
            "names; a page title such as `# GetIceServerConfig` became `# <PERSON_1>`.",
            "",
            "Names are looked for in prose only (code blocks, inline code, URLs, link targets "
            "and HTML tags are skipped), and only name-shaped candidates are kept: no digits, "
            "dots, slashes or brackets, no inner capitals (`WriteLine`), no all-capitals "
            "(`JSON`), no lone word or run of common words without a cue, no word of the "
            "page's own headings. What remains is mostly product names of two unusual words "
            "(`Amazon Cognito`) and the example people of the docs. E-mails, phones, cards, "
            "IBANs, bank details, addresses, National Insurance numbers and dates of birth are "
            "still looked for everywhere, code included.",
        ]
    )


def _inline(value: str) -> str:
    """A value fit for a Markdown code span on one line."""
    return " ".join(value.split()).replace("`", "'")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
