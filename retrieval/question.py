"""What a ticket asks, as weighted words: the query the extractive composer answers.

A ticket is not a search query: it greets, thanks, signs off, tells a story ("I tried twice last
week") and carries redaction placeholders. Those words are dropped; the rest are weighted by how
rare they are among the retrieved chunks, and the subject's words count double, because the
subject is the customer's own one-line summary of the problem.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass

from kb.pii_placeholders import PLACEHOLDER
from retrieval.grounding import stems
from retrieval.search import SearchHit

# Words that carry the ticket's manners or its story, not its topic: a passage that shares
# them answers nothing. Written as a sentence of words, stemmed once at import.
_CHATTER_WORDS = (
    "hi hello hey dear thanks thank cheers regards kind best wishes please pls sorry "
    "help helping need needs want wondering question quick asap urgent team guys folks "
    "today yesterday tomorrow week weeks month months ago still again already now "
    "tried try trying just really actually anyway know let sure thing things something "
    "way anyone someone else maybe possible able one ok okay get got getting why about "
    "can't cant don't dont didn't didnt doesn't isn't won't i'm im i've i'd we're we've it's"
)
CHATTER = frozenset(stems(_CHATTER_WORDS))
SUBJECT_WEIGHT = 2.0
TELLING_WORDS = 6  # a sentence is measured against this many of the question's words


@dataclass(frozen=True)
class Question:
    """The ticket's topic words that some retrieved chunk contains, each with its weight, and
    the weights of the subject's words that none contains (no sentence can answer those)."""

    weights: Mapping[str, float]
    unanswerable: Sequence[float] = ()

    @functools.cached_property
    def norm(self) -> float:
        """The weight a sentence must cover to count as a full answer."""
        every = [*self.weights.values(), *self.unanswerable]
        return sum(sorted(every, reverse=True)[:TELLING_WORDS]) or 1.0

    def coverage(self, words: Set[str]) -> float:
        """How much of the question ``words`` (stems) answer, from 0 to 1."""
        return min(1.0, sum(w for word, w in self.weights.items() if word in words) / self.norm)


def topic_words(text: str) -> set[str]:
    """The stems of ``text`` that may name a topic: no placeholders, chatter or bare numbers."""
    return {w for w in stems(PLACEHOLDER.sub(" ", text)) if w not in CHATTER and not w.isdigit()}


def question(subject: str, body: str, hits: Sequence[SearchHit]) -> Question:
    """The question a ticket asks, weighed against the chunks retrieved for it: a word rare
    among them tells more about which passage answers than one they all share."""
    said = topic_words(subject)
    asked = said | topic_words(body)
    docs = [_chunk_stems(h.field("text")) for h in hits]
    total = max(len(docs), 1)
    weights = {}
    for word in asked:
        df = sum(word in d for d in docs)
        if df:
            weights[word] = math.log(1 + total / df) * (SUBJECT_WEIGHT if word in said else 1.0)
    # The subject's words that no retrieved chunk contains still count, as the rarest words
    # could: when the customer's own summary names something the knowledge never mentions
    # ("QR code"), the best sentence about the rest of it is not an answer.
    rarest = math.log(1 + total) * SUBJECT_WEIGHT
    return Question(weights, [rarest for word in said if word not in weights])


@functools.lru_cache(maxsize=4096)
def _chunk_stems(text: str) -> frozenset[str]:
    return frozenset(stems(text))  # popular chunks are retrieved for many tickets
