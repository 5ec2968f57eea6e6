"""The extractive composer: a reply whose every factual sentence is quoted from a retrieved chunk.

Structure (email): greeting, a one-line confirmation of the customer's problem, answer sentences
with ``[n]`` citations, next steps, a recap, required disclaimers, a feedback request, sign-off.
Chat gets the same in fewer sentences and no recap. Internal sources never reach the customer's
text: they become agent notes, marked internal. When nothing retrieved answers the ticket well
enough, the draft says honestly that a specialist will follow up, and asks for a human.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from retrieval.grounding import is_instruction, stems
from retrieval.passages import Passage, passages, plain
from retrieval.question import Question, question
from retrieval.search import SearchHit

LIMITS = {"email": {"answers": 3, "steps": 4}, "chat": {"answers": 2, "steps": 3}}
MIN_OVERLAP = 0.25  # share of the question's telling words a sentence must cover to answer
CONFIDENT = 0.35  # below this best coverage the draft says "needs a human" instead of answering
ANSWER_DOCUMENTS = 3  # how many of the best-ranked public documents may supply the answer
NOTES = 3  # internal passages shown to the agent
RANK_PRIOR = 2  # power of a document's retrieval score (relative to the best) in that choice


@dataclass(frozen=True)
class Voice:
    """What the style card says about greetings, sign-offs and closing lines, per channel."""

    greetings: dict[str, str] = field(
        default_factory=lambda: {"email": "Hi {first_name},", "chat": "Hi {first_name}!"}
    )
    signoffs: dict[str, str] = field(
        default_factory=lambda: {"email": "Best,\n{agent_first_name}", "chat": ""}
    )
    feedback: dict[str, str] = field(default_factory=dict)  # channel -> request text


@dataclass(frozen=True)
class Citation:
    n: int
    hit: SearchHit
    passage: Passage

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "doc_id": self.hit.doc_id,
            "title": plain(self.hit.title),
            "url": self.hit.field("url"),
            "path": self.hit.field("path"),
            "chunk_id": self.hit.chunk_id,
            "passage": self.passage.text,
            "start": self.passage.start,
            "end": self.passage.end,
            "visibility": self.hit.field("visibility") or "internal",
        }


@dataclass
class Composition:
    text: str
    sections: dict[str, Any]
    citations: list[Citation]
    agent_notes: list[dict[str, Any]]
    confidence: float
    needs_human: bool
    reasons: list[str]
    skipped_instructions: list[str]


@dataclass(frozen=True)
class TicketView:
    """What the composer may use of the ticket: its redacted words and the customer's name."""

    channel: str
    subject: str
    body: str
    first_name: str
    topic: str  # a short phrase for the confirmation line
    casual: bool


def compose(
    ticket: TicketView, hits: Sequence[SearchHit], voice: Voice, *, agent_first_name: str
) -> Composition:
    limits = LIMITS.get(ticket.channel, LIMITS["email"])
    asked = question(ticket.subject, ticket.body, hits)
    public = [h for h in hits if h.field("visibility") == "public"]
    internal = [h for h in hits if h.field("visibility") != "public"]
    skipped: list[str] = []
    # Answer from one document, the best-supported among the best-ranked: a reply stitched from
    # several articles reads badly and mixes contexts.
    source = _answer_document(public, asked)
    chosen = [h for h in public if h.doc_id == source]
    answers = _best_passages(chosen, asked, skipped, steps=False)[: limits["answers"]]
    steps_found = _best_passages(chosen, asked, skipped, steps=True)
    confidence = max([s for _, _, s in answers + steps_found[:1]], default=0.0)
    citations: list[Citation] = []

    def cite(hit: SearchHit, passage: Passage) -> int:
        for existing in citations:
            if existing.hit.chunk_id == hit.chunk_id and existing.passage == passage:
                return existing.n
        citations.append(Citation(len(citations) + 1, hit, passage))
        return len(citations)

    greeting = voice.greetings.get(ticket.channel, "Hi {first_name},").format(
        first_name=ticket.first_name or "there"
    )
    signoff = voice.signoffs.get(ticket.channel, "").format(agent_first_name=agent_first_name)
    confirmation = _confirmation(ticket)
    if confidence < CONFIDENT or not (answers or steps_found):
        return _needs_human(ticket, greeting, confirmation, signoff, hits, confidence, skipped)

    answer_lines = [f"{p.text} [{cite(h, p)}]" for h, p, _ in answers]
    # The steps of the chunk that best matches, in the article's order.
    step_chunk = steps_found[0][0].chunk_id if steps_found else None
    steps = [(h, p) for h, p, _ in steps_found if h.chunk_id == step_chunk][: limits["steps"]]
    steps.sort(key=lambda hp: hp[1].start)
    step_lines = [f"{i}. {p.text} [{cite(h, p)}]" for i, (h, p) in enumerate(steps, 1)]
    recap = ""
    if ticket.channel == "email" and answer_lines and len(answer_lines) + len(step_lines) >= 4:
        recap = f"To recap: {answer_lines[0]}"
    notes = _agent_notes(internal, asked, skipped, cite)
    sections = {
        "greeting": greeting,
        "confirmation": confirmation,
        "answer": answer_lines,
        "next_steps": step_lines,
        "recap": recap,
        "personal_note": "",  # a slot the agent fills; empty means nothing is added
        "feedback_request": voice.feedback.get(ticket.channel, ""),
        "signoff": signoff,
    }
    return Composition(
        text=render(sections, ticket.channel),
        sections=sections,
        citations=citations,
        agent_notes=notes,
        confidence=round(confidence, 3),
        needs_human=False,
        reasons=[],
        skipped_instructions=skipped,
    )


def render(sections: dict[str, Any], channel: str) -> str:
    """The reply text from its sections (the agent's edits of a section re-render the same way)."""
    blocks: list[str] = [sections["greeting"]]
    body = " ".join(x for x in [sections["confirmation"], *sections["answer"]] if x)
    blocks.append(body)
    if sections["next_steps"]:
        lead = "Next steps:" if channel == "email" else "Here's how:"
        blocks.append(lead + "\n" + "\n".join(sections["next_steps"]))
    for key in ("recap", "personal_note", "disclaimers", "feedback_request"):
        value = sections.get(key)
        if isinstance(value, list):
            value = " ".join(value)
        if value:
            blocks.append(value)
    if sections["signoff"]:
        blocks.append(sections["signoff"])
    separator = "\n\n" if channel == "email" else "\n"
    return separator.join(b for b in blocks if b).strip()


def _needs_human(
    ticket: TicketView,
    greeting: str,
    confirmation: str,
    signoff: str,
    hits: Sequence[SearchHit],
    confidence: float,
    skipped: list[str],
) -> Composition:
    # Honest and free of claims: no answer we cannot ground, and no promise of a time. Short
    # enough for any style card's sentence-length rule (the demo card's is 25 words).
    holding = (
        "I want to make sure you get the right answer, so a specialist on our team will "
        "follow up with you here."
    )
    sections = {
        "greeting": greeting,
        "confirmation": confirmation,
        "answer": [holding],
        "next_steps": [],
        "recap": "",
        "personal_note": "",
        "feedback_request": "",
        "signoff": signoff,
    }
    reason = (
        "No approved knowledge answers this ticket well enough to draft a reply"
        if hits
        else "No approved knowledge matched this ticket"
    )
    return Composition(
        text=render(sections, ticket.channel),
        sections=sections,
        citations=[],
        agent_notes=[],
        confidence=round(confidence, 3),
        needs_human=True,
        reasons=[f"{reason} (confidence {confidence:.2f})."],
        skipped_instructions=skipped,
    )


def _confirmation(ticket: TicketView) -> str:
    lead = "Thanks for reaching out" if ticket.casual else "Thank you for contacting us"
    return f"{lead} about {ticket.topic}." if ticket.topic else f"{lead}."


def _best_passages(
    hits: Sequence[SearchHit], asked: Question, skipped: list[str], *, steps: bool
) -> list[tuple[SearchHit, Passage, float]]:
    """The quotable sentences (or list steps) of ``hits`` that answer enough of the question,
    best first, each with its coverage of the question."""
    scored = []
    for hit in hits:
        for passage, words in _stemmed_passages(hit.field("text")):
            if passage.is_step != steps:
                continue
            if is_instruction(passage.text):
                skipped.append(passage.text)
                continue
            coverage = asked.coverage(words)
            # A step is one action of a procedure: it answers part of the question by design.
            if coverage >= (MIN_OVERLAP / 2 if steps else MIN_OVERLAP):
                scored.append((hit, passage, coverage))
    scored.sort(key=lambda item: -item[2])
    unique: list[tuple[SearchHit, Passage, float]] = []
    seen: set[str] = set()
    for hit, passage, score in scored:
        key = re.sub(r"\W+", " ", passage.text.lower())
        if key not in seen:
            seen.add(key)
            unique.append((hit, passage, score))
    return unique


@functools.lru_cache(maxsize=4096)
def _stemmed_passages(chunk_text: str) -> tuple[tuple[Passage, frozenset[str]], ...]:
    # One draft reads each retrieved chunk several times (choosing the document, answers,
    # steps, notes), and popular chunks recur across tickets: split and stem each once.
    return tuple((p, frozenset(stems(p.text))) for p in passages(chunk_text))


def _answer_document(public: Sequence[SearchHit], asked: Question) -> str | None:
    """The document, among the first few ranked, with the best sentence or step, weighed by
    how its retrieval score compares with the best document's."""
    candidates = list(dict.fromkeys(h.doc_id for h in public))[:ANSWER_DOCUMENTS]
    top = max((h.score for h in public), default=0.0)
    best: tuple[float, str] | None = None
    for doc_id in candidates:
        chunks = [h for h in public if h.doc_id == doc_id]
        found = _best_passages(chunks, asked, [], steps=False)[:1]
        found += _best_passages(chunks, asked, [], steps=True)[:1]
        evidence = max((s for _, _, s in found), default=0.0)
        # Retrieval ranks the whole page (title, several chunks, dense and BM25), a sentence
        # only its own words: a lower-ranked page must quote clearly better to be chosen.
        prior = (max(chunks[0].score, 0.0) / top) ** RANK_PRIOR if top > 0 else 1.0
        if best is None or evidence * prior > best[0]:
            best = (evidence * prior, doc_id)
    return best[1] if best else None


def _agent_notes(
    internal: Sequence[SearchHit],
    asked: Question,
    skipped: list[str],
    cite: Any,
) -> list[dict[str, Any]]:
    # Playbooks are mostly lists, so their items count as notes too, held to the sentence bar.
    found = _best_passages(internal, asked, skipped, steps=False)
    found += [
        f for f in _best_passages(internal, asked, skipped, steps=True) if f[2] >= MIN_OVERLAP
    ]
    notes = []
    for hit, passage, _ in sorted(found, key=lambda f: -f[2])[:NOTES]:
        n = cite(hit, passage)
        notes.append({"text": passage.text, "citation": n, "visibility": "internal"})
    return notes


_CASUAL = ("hey", "hi", "thanks", "pls", "gonna", "wanna", "lol", "!", "'m", "'s", "n't")


def is_casual(text: str) -> bool:
    """Whether the customer writes casually (the reply may match, within the card's bounds)."""
    lower = text.lower()
    return sum(marker in lower for marker in _CASUAL) >= 2
