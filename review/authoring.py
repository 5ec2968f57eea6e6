"""Proposal drafting: what several final replies have in common, written as an article.

A sentence of one reply is kept when other replies say the same thing (cosine of the dense
encoder at least ``SAME_FACT``): the common answer survives, what was said to one customer
("Sorry that's been a hassle", "I checked your account") does not. The steps come from the reply
that lists the most. A sentence that still holds a redaction placeholder was about someone and
is left out. The knowledge manager edits the result before anything is published.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.grounding import support
from review.clusters import centroid
from review.interfaces import Encoder
from review.replies import split_reply, title_from_subject, without_placeholders
from review.scans import ScannedResolution

# Measured on the demo's QR-code replies: the same fact in other words scores 0.65–0.95, what
# was said to one customer only 0.11–0.48 ("Sorry that's been a hassle", "I checked your account").
SAME_FACT = 0.65
DUPLICATE = 0.68  # two kept sentences closer than this say one thing twice
MAX_FACTS = 8
INTRO_SENTENCES = 2
ADDED_SECTION = "## Also good to know"
_ANSWER_WORD = re.compile(r"^(?:yes|no|sure|absolutely|of course|good question)\b[,:!.]?\s*", re.I)


@dataclass(frozen=True)
class ArticleDraft:
    title: str
    body: str  # Markdown, no front matter


@dataclass(frozen=True)
class _Sentence:
    reply: int
    position: float  # where in its reply, 0..1
    text: str


def common_facts(replies: Sequence[str], encoder: Encoder) -> list[str]:
    """Prose sentences that another reply also says (in a sentence or a step); near-duplicates
    once, the best supported first among them, then in reading order."""
    said = [(n, text) for n, reply in enumerate(replies) for text in _statements(reply)]
    candidates: list[_Sentence] = []
    for number, reply in enumerate(replies):
        found = [
            _fact(s)
            for s in split_reply(reply).sentences
            if s == without_placeholders(s) and not s.endswith(":")
        ]
        candidates += [_Sentence(number, i / max(len(found), 1), s) for i, s in enumerate(found)]
    if not candidates or len(replies) < 2:
        return []
    mine = encoder.encode([c.text for c in candidates])
    theirs = encoder.encode([text for _, text in said])
    owners = np.array([n for n, _ in said])
    agree = mine @ theirs.T >= SAME_FACT
    support_of = [len(set(owners[agree[i]]) - {c.reply}) for i, c in enumerate(candidates)]
    ranked = sorted(
        (i for i in range(len(candidates)) if support_of[i] >= 1),
        key=lambda i: (-support_of[i], candidates[i].position),
    )
    duplicate = mine @ mine.T >= DUPLICATE
    kept: list[int] = []
    for i in ranked:
        if not any(duplicate[i, j] for j in kept):
            kept.append(i)
    kept = sorted(kept[:MAX_FACTS], key=lambda i: (candidates[i].position, candidates[i].reply))
    return [candidates[i].text for i in kept]


def steps_of(replies: Sequence[str], encoder: Encoder) -> list[str]:
    """The list items (at least two) of the reply whose items other replies confirm most."""
    lists = [
        [s for s in split_reply(reply).steps if s == without_placeholders(s)] for reply in replies
    ]
    candidates = [n for n, steps in enumerate(lists) if len(steps) >= 2]
    if not candidates:
        return []
    if len(candidates) == 1:
        return lists[candidates[0]]
    said = [(n, text) for n, reply in enumerate(replies) for text in _statements(reply)]
    vectors = encoder.encode([text for _, text in said])
    owners = np.array([n for n, _ in said])

    def confirmed(n: int) -> tuple[int, int]:
        mine = encoder.encode(lists[n])
        others = vectors[owners != n]
        hits = int(((mine @ others.T).max(axis=1) >= SAME_FACT).sum()) if len(others) else 0
        return hits, -len(lists[n])

    return lists[max(candidates, key=confirmed)]


def _fact(sentence: str) -> str:
    """A reply's sentence as an article's: no "Yes," or "Sure!" in front."""
    text = _ANSWER_WORD.sub("", sentence, count=1)
    return text[:1].upper() + text[1:]


def _statements(reply: str) -> list[str]:
    parts = split_reply(reply)
    return [s for s in parts.sentences + parts.steps if s == without_placeholders(s)]


def draft_article(members: Sequence[ScannedResolution], encoder: Encoder) -> ArticleDraft:
    """A new article from a group of tickets' final replies."""
    replies = [m.reply for m in members]
    facts = common_facts(replies, encoder)
    steps = steps_of(replies, encoder)
    if steps and facts:
        # A fact that restates a step is said once, in the steps.
        step_vectors = encoder.encode(steps)
        fact_vectors = encoder.encode(facts)
        overlap = (fact_vectors @ step_vectors.T).max(axis=1)
        facts = [f for f, score in zip(facts, overlap, strict=True) if score < DUPLICATE]
    title = _title(members, encoder) or (facts[0] if facts else "New article")
    lines = [f"# {title}", ""]
    intro, rest = facts[:INTRO_SENTENCES], facts[INTRO_SENTENCES:]
    if intro:
        lines += [" ".join(intro), ""]
    if steps:
        lines += ["## Steps", ""]
        lines += [f"{n}. {step}" for n, step in enumerate(steps, 1)]
        lines.append("")
    if rest:
        lines += ["## Good to know", ""]
        lines += [f"- {fact}" for fact in rest]
        lines.append("")
    return ArticleDraft(title, "\n".join(lines).strip() + "\n")


def draft_amendment(live_body: str, members: Sequence[ScannedResolution], encoder: Encoder) -> str:
    """The live article with a section of what the edited replies add to it."""
    replies = [m.reply for m in members]
    facts = [f for f in common_facts(replies, encoder) if not support(f, live_body).supported]
    if not facts:
        # Nothing the replies agree on is missing; show the reviewer the most complete reply.
        longest = max(replies, key=len, default="")
        facts = [s for s in split_reply(longest).sentences if s == without_placeholders(s)][:3]
    added = "\n".join(f"- {fact}" for fact in facts)
    return f"{live_body.rstrip()}\n\n{ADDED_SECTION}\n\n{added}\n" if added else live_body


def _title(members: Sequence[ScannedResolution], encoder: Encoder) -> str:
    """The subject of the ticket closest to the group's centre, as a title."""
    subjects = [(m, title_from_subject(m.subject)) for m in members]
    subjects = [(m, s) for m, s in subjects if s]
    if not subjects:
        return ""
    vectors = encoder.encode([without_placeholders(m.text) for m, _ in subjects])
    scores = vectors @ centroid(vectors)
    return subjects[int(np.argmax(scores))][1]
