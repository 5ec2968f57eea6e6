"""Verification of an LLM's answer, sentence by sentence, against the sources it was shown.

A sentence survives only if it

* is not an instruction to an AI (``grounding.is_instruction``),
* cites at least one source it was given (a citation of any other number is dropped first),
* is supported by the text of the sources it cites: the share of its content words found there
  (``grounding.support``'s overlap, or the same share over Snowball stems, whichever is higher,
  so "invoices" meets "invoice") is at least ``MIN_SUPPORT``, and every number it states
  (amounts, days, percentages) appears in those sources.

Everything removed is reported with its reason; nothing is silently rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from retrieval.grounding import is_instruction, stems, support
from retrieval.llm_prompt import Source
from retrieval.passages import Passage, plain

# 0.8 is grounding's own bar for a paraphrase: at least four of every five content words must
# come from the cited sources. Stop words and citation marks do not count, so ordinary
# rephrasing ("you can", "go to") passes, while a sentence bringing its own facts (a refund, a
# deadline, a product feature) brings new content words and falls below it. Lower bars let
# one-word substitutions of the key fact through ("full refund" for "partial refund" keeps
# 2 of 3 words); numbers are checked separately because one changed digit barely moves overlap.
MIN_SUPPORT = 0.8
NO_ANSWER = "NO_ANSWER"

_CITES = re.compile(r"\[\s*(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\s*\]")
_CITES_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[\s*\d{1,3}(?:\s*[,;]\s*\d{1,3})*\s*\])+)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(A-Z0-9])")
_STEP = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•])\s+")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")


@dataclass(frozen=True)
class Claim:
    """One sentence (or one step) of the model's answer, its citation marks removed."""

    text: str
    cites: tuple[int, ...]
    is_step: bool


@dataclass
class Verified:
    kept: list[Claim] = field(default_factory=list)
    removed: list[dict[str, object]] = field(default_factory=list)
    dropped_citations: list[dict[str, object]] = field(default_factory=list)
    claimed: int = 0  # sentences that cited anything: what "too little survives" is measured on
    no_answer: bool = False


def claims(answer: str) -> list[Claim]:
    """The model's answer as sentences and steps, in order."""
    found: list[Claim] = []
    for line in answer.splitlines():
        line = line.strip()
        if not line:
            continue
        step = _STEP.match(line)
        if step:
            found.append(_claim(line[step.end() :], is_step=True))
            continue
        # "Sentence. [1] Next" → "Sentence [1]. Next", so the marks stay with their sentence.
        line = _CITES_AFTER_STOP.sub(r"\2\1", line)
        found.extend(_claim(part, is_step=False) for part in _SENTENCE_END.split(line))
    return [c for c in found if c.text or c.cites]


def verify(answer: str, sources: Sequence[Source]) -> Verified:
    by_n = {source.n: source for source in sources}
    result = Verified(no_answer=answer.strip().strip(".").upper() == NO_ANSWER)
    if result.no_answer:
        return result
    seen: set[str] = set()
    for claim in claims(answer):
        if claim.cites:
            result.claimed += 1
        given = tuple(n for n in dict.fromkeys(claim.cites) if n in by_n)
        for n in claim.cites:
            if n not in by_n:
                result.dropped_citations.append({"sentence": claim.text, "citation": n})
        reason = _refusal(claim, given, by_n)
        if reason:
            result.removed.append({"sentence": claim.text, **reason})
            continue
        key = re.sub(r"\W+", " ", claim.text.lower()).strip()
        if key in seen:
            continue
        seen.add(key)
        # A cited source sharing no word with the sentence supports nothing: its mark goes.
        useful = tuple(n for n in given if overlap(claim.text, by_n[n].text) > 0)
        result.kept.append(Claim(claim.text, useful or given, claim.is_step))
    return result


def best_passage(source: Source, sentences: Sequence[str]) -> Passage:
    """The source's sentence that best supports what cites it: the passage a citation opens."""
    said = " ".join(sentences)
    return max(source.passages, key=lambda p: overlap(said, p.text))


def overlap(sentence: str, cited: str) -> float:
    """The share of the sentence's content words the cited text contains (1.0: a quote)."""
    exact = support(sentence, cited).overlap
    said = stems(sentence)
    if exact >= 1.0 or not said:
        return exact
    return max(exact, len(said & stems(cited)) / len(said))


def _claim(text: str, *, is_step: bool) -> Claim:
    cites = tuple(int(n) for group in _CITES.findall(text) for n in re.split(r"[,;]", group))
    bare = _CITES.sub(" ", text)
    bare = re.sub(r"\s+([.!?,;:])", r"\1", bare)
    return Claim(plain(bare).strip(), cites, is_step)


def _refusal(
    claim: Claim, given: tuple[int, ...], by_n: Mapping[int, Source]
) -> dict[str, object] | None:
    """Why the claim may not stand, or None when it may."""
    if is_instruction(claim.text):
        return {"reason": "instruction", "detail": "Reads as an instruction to an AI."}
    if not claim.cites:
        return {"reason": "uncited", "detail": "Cites no source."}
    if not given:
        return {"reason": "unknown_source", "detail": "Cites only sources it was not given."}
    cited = "\n".join(by_n[n].text for n in given)
    measured = overlap(claim.text, cited)
    if measured < MIN_SUPPORT:
        return {
            "reason": "unsupported",
            "detail": f"Only {measured:.0%} of its words are in the cited sources.",
            "overlap": round(measured, 3),
        }
    stated = set(_NUMBER.findall(claim.text)) - set(_NUMBER.findall(cited))
    if stated:
        return {
            "reason": "unsupported_number",
            "detail": f"States {', '.join(sorted(stated))}, which the cited sources do not.",
        }
    return None
