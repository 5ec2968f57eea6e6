"""The extractive composer: a reply whose every factual sentence is quoted from a retrieved chunk.

Structure (email): greeting, a one-line confirmation of the customer's problem, answer sentences
with ``[n]`` citations, next steps, a recap, required disclaimers, a feedback request, sign-off.
Chat gets the same in fewer sentences and no recap. Internal sources never reach the customer's
text: they become agent notes, marked internal. When nothing retrieved answers the ticket well
enough, the draft says honestly that a specialist will follow up, and asks for a human.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from retrieval.grounding import is_instruction, stems
from retrieval.passages import Passage, passages, plain
from retrieval.search import SearchHit

LIMITS = {"email": {"answers": 3, "steps": 4}, "chat": {"answers": 2, "steps": 3}}
MIN_OVERLAP = 0.25  # share of the question's telling words a sentence must cover to answer
CONFIDENT = 0.4
TELLING_WORDS = 6
ANSWER_DOCUMENTS = 3


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
    weights = _query_weights(f"{ticket.subject} {ticket.body}", hits)
    public = [h for h in hits if h.field("visibility") == "public"]
    internal = [h for h in hits if h.field("visibility") != "public"]
    skipped: list[str] = []
    # Answer from one document, the best-supported among the best-ranked: a reply stitched from
    # several articles reads badly and mixes contexts.
    source = _answer_document(public, weights, skipped)
    chosen = [h for h in public if h.doc_id == source]
    answers = _best_passages(chosen, weights, skipped, steps=False)[: limits["answers"]]
    steps_found = _best_passages(chosen, weights, skipped, steps=True)
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
    notes = _agent_notes(internal, weights, skipped, cite)
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
    # Honest and free of claims: no answer we cannot ground, and no promise of a time.
    holding = (
        "I want to make sure you get the right answer, so I'm passing this to a specialist "
        "on our team, who will follow up with you here."
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


def _query_weights(query: str, hits: Sequence[SearchHit]) -> dict[str, float]:
    """Each question word (stemmed) weighted by how rare it is among the retrieved chunks;
    words no chunk contains carry no weight (they cannot be answered from knowledge)."""
    docs = [stems(h.field("text")) for h in hits]
    total = max(len(docs), 1)
    weights = {}
    for word in stems(query):
        df = sum(word in d for d in docs)
        if df:
            weights[word] = math.log(1 + total / df)
    return weights


def _best_passages(
    hits: Sequence[SearchHit], weights: dict[str, float], skipped: list[str], *, steps: bool
) -> list[tuple[SearchHit, Passage, float]]:
    # A long ticket has many words no single sentence answers: measure a sentence against the
    # question's most telling words, not all of them.
    norm = sum(sorted(weights.values(), reverse=True)[:TELLING_WORDS]) or 1.0
    best = max((h.score for h in hits), default=0.0) or 1.0
    scored = []
    for hit in hits:
        prior = max(hit.score, 0.0) / best  # how good this chunk's document is, relative
        for passage in passages(hit.field("text")):
            if passage.is_step != steps:
                continue
            if is_instruction(passage.text):
                skipped.append(passage.text)
                continue
            words = stems(passage.text)
            coverage = min(1.0, sum(w for word, w in weights.items() if word in words) / norm)
            if coverage < (MIN_OVERLAP if not steps else MIN_OVERLAP / 2):
                continue
            scored.append((hit, passage, coverage * (0.5 + 0.5 * prior)))
    scored.sort(key=lambda item: -item[2])
    unique: list[tuple[SearchHit, Passage, float]] = []
    seen: set[str] = set()
    for hit, passage, score in scored:
        key = re.sub(r"\W+", " ", passage.text.lower())
        if key not in seen:
            seen.add(key)
            unique.append((hit, passage, score))
    return unique


def _answer_document(
    public: Sequence[SearchHit], weights: dict[str, float], skipped: list[str]
) -> str | None:
    """The document (among the first few ranked) whose best sentence or step scores highest."""
    candidates: list[str] = []
    for hit in public:
        if hit.doc_id not in candidates:
            candidates.append(hit.doc_id)
    best: tuple[float, str] | None = None
    for doc_id in candidates[:ANSWER_DOCUMENTS]:
        chunks = [h for h in public if h.doc_id == doc_id]
        found = _best_passages(chunks, weights, [], steps=False)[:1]
        found += _best_passages(chunks, weights, [], steps=True)[:1]
        score = max((s for _, _, s in found), default=0.0)
        if best is None or score > best[0]:
            best = (score, doc_id)
    return best[1] if best else None


def _agent_notes(
    internal: Sequence[SearchHit],
    weights: dict[str, float],
    skipped: list[str],
    cite: Any,
) -> list[dict[str, Any]]:
    notes = []
    for hit, passage, _ in _best_passages(internal, weights, skipped, steps=False)[:3]:
        n = cite(hit, passage)
        notes.append({"text": passage.text, "citation": n, "visibility": "internal"})
    return notes
