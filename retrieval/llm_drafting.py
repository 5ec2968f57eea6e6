"""LLM mode: the model rewrites a draft's answer, and only what its sources support stays.

The extractive composition is always made first: it is the fallback, ready at once, and it gives
the parts the model never writes (greeting, confirmation line, sign-off from the style card;
agent notes from internal sources, which the model never sees). The model is asked for the
answer and the next steps only; ``llm_verify`` keeps the sentences its sources support. When the
call fails, times out, or too little survives, the draft is the extractive one, and the
response says so: ``mode: "extractive"``, ``fallback: {"from": "llm", "reason": ...}``.

The model is asked even when the extractive composer found no single sentence close enough to
the ticket (its holding reply is then the fallback): the model may answer from sentences that
only together cover the question. It is told to write NO_ANSWER when the sources do not answer,
and whatever it writes still has to pass verification.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from retrieval.composer import LIMITS, Citation, Composition, TicketView, render
from retrieval.llm import ChatModel, LlmError
from retrieval.llm_prompt import PromptSet, Source, sources_for
from retrieval.llm_verify import Claim, Verified, best_passage, verify
from retrieval.search import SearchHit

log = logging.getLogger(__name__)
# The share of the model's cited sentences that must survive verification: a reply that lost
# most of its sentences reads disjointed, and the model clearly strayed from its sources.
MIN_KEPT_SHARE = 0.5


@dataclass
class Redraft:
    """The draft to use and what LLM mode did; ``report()`` goes into the response document."""

    composition: Composition
    mode: str  # "llm" | "extractive"
    llm: dict[str, Any] = field(default_factory=dict)
    fallback: dict[str, str] | None = None

    def report(self) -> dict[str, Any]:
        found: dict[str, Any] = {"mode": self.mode, "llm": self.llm}
        if self.fallback is not None:
            found["fallback"] = self.fallback
        return found

    @property
    def warnings(self) -> list[str]:
        removed = len(self.llm.get("removed") or [])
        if not removed or self.mode != "llm":
            return []
        return [f"Removed {removed} sentence(s) of the model's answer that failed verification."]


class LlmDrafter:
    """Asks a ``ChatModel`` for the answer of a draft and verifies it against its sources."""

    def __init__(self, model: ChatModel, prompts: PromptSet | None = None) -> None:
        self.model = model
        self.prompts = prompts or PromptSet.load()

    def describe(self) -> dict[str, str]:
        """The configuration a draft records: which model and which prompts."""
        return {"llm_model": self.model.name, "prompt_sha256": self.prompts.sha256}

    def redraft(
        self, extractive: Composition, ticket: TicketView, hits: Sequence[SearchHit], *, ref: str
    ) -> Redraft:
        info: dict[str, Any] = {"model": self.model.name, "prompt_sha256": self.prompts.sha256}
        skipped: list[str] = []
        sources = sources_for(hits, skipped)
        if not sources:
            return self._fallback(extractive, info, ref, "no_sources", "No public source to cite.")
        system, user = self.prompts.render(ticket, sources)
        try:
            answer = self.model.answer(system, user)
        except LlmError as exc:
            return self._fallback(extractive, info, ref, exc.reason, str(exc))
        checked = verify(answer, sources)
        info.update(
            removed=checked.removed,
            dropped_citations=checked.dropped_citations,
            kept=len(checked.kept),
        )
        problem = _too_little(checked)
        if problem:
            return self._fallback(extractive, info, ref, *problem)
        composition = _composition(extractive, ticket, checked.kept, sources)
        composition.skipped_instructions = sorted({*extractive.skipped_instructions, *skipped})
        return Redraft(composition, "llm", info)

    def _fallback(
        self, extractive: Composition, info: dict[str, Any], ref: str, reason: str, detail: str
    ) -> Redraft:
        # Only the ticket reference and a reason code: error details may echo prompt text.
        log.warning("draft for ticket %s: LLM mode fell back to extractive (%s)", ref, reason)
        fallback = {"from": "llm", "reason": reason, "detail": detail}
        return Redraft(extractive, "extractive", info, fallback)


def _too_little(checked: Verified) -> tuple[str, str] | None:
    if checked.no_answer:
        return "no_answer", "The model found no answer in the sources."
    if not checked.kept:
        return "unsupported", "No sentence of the model's answer was supported by its sources."
    if len(checked.kept) < MIN_KEPT_SHARE * checked.claimed:
        return (
            "unsupported",
            f"Only {len(checked.kept)} of {checked.claimed} sentences were supported.",
        )
    return None


def _composition(
    extractive: Composition, ticket: TicketView, kept: Sequence[Claim], sources: Sequence[Source]
) -> Composition:
    """The extractive draft with the verified answer in place of the quoted one."""
    limits = LIMITS.get(ticket.channel, LIMITS["email"])
    by_n = {source.n: source for source in sources}
    renumber: dict[int, int] = {}
    citing: dict[int, list[str]] = {}
    for claim in kept:
        for n in claim.cites:
            renumber.setdefault(n, len(renumber) + 1)
            citing.setdefault(n, []).append(claim.text)

    def marks(claim: Claim) -> str:
        return "".join(f"[{renumber[n]}]" for n in claim.cites)

    answers = [f"{c.text} {marks(c)}" for c in kept if not c.is_step][: limits["answers"]]
    steps = [c for c in kept if c.is_step][: limits["steps"]]
    step_lines = [f"{i}. {c.text} {marks(c)}" for i, c in enumerate(steps, 1)]
    citations = [
        Citation(new, by_n[old].hit, best_passage(by_n[old], citing[old]))
        for old, new in renumber.items()
    ]
    notes = _renumbered_notes(extractive, citations)
    sections = {**extractive.sections, "answer": answers, "next_steps": step_lines, "recap": ""}
    return Composition(
        text=render(sections, ticket.channel),
        sections=sections,
        citations=citations,
        agent_notes=notes,
        confidence=extractive.confidence,
        needs_human=False,
        reasons=[],
        skipped_instructions=list(extractive.skipped_instructions),
    )


def _renumbered_notes(extractive: Composition, citations: list[Citation]) -> list[dict[str, Any]]:
    """Agent notes keep their internal sources, numbered after the reply's citations."""
    old = {c.n: c for c in extractive.citations}
    notes = []
    for note in extractive.agent_notes:
        source = old.get(note["citation"])
        if source is None:
            continue
        citations.append(Citation(len(citations) + 1, source.hit, source.passage))
        notes.append({**note, "citation": len(citations)})
    return notes
