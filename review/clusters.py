"""Recurring gap tickets: grouped by meaning, then checked against the knowledge base.

Tickets are grouped with the dense encoder (question and final reply, redacted, placeholders
dropped): a ticket joins the group whose centroid it is closest to, if at least
``CLUSTER_SIMILARITY`` (cosine), else it starts its own. Measured on the demo's 176 resolved
tickets: the seven about the uncovered QR-code topic are 0.56–0.84 apart and at most 0.58 from
any other ticket; all pairs' 95th percentile is 0.44.

Coverage asks whether one live article already says what the group's replies say. Search
scores alone do not tell (a page that shares the generic words ranks well), so a group's
*distinctive terms* are weighed instead: stems at least half of its tickets use and that are at
least ``MIN_LIFT`` times more common in the group than among all scanned tickets, the
``DISTINCTIVE_TERMS`` rarest in the knowledge base kept, weighted by the square of that rarity
(inverse document frequency over live articles), so a word no article uses counts most. The
group is covered when one of the articles search ranks first for its questions holds at least
``WEAK_COVERAGE`` of that weight. Measured on the demo's 22 recurring groups (176 resolved
tickets): the QR-code group scores 0.13; three other groups of two to four tickets 0.14–0.23 (a
returned-debit code, a member charged twice, a scam invoice: proposals a reviewer may well
reject); every group an article answers 0.35 or more. With fewer than ``MIN_BACKGROUND``
scanned tickets the lift test is skipped (``CHATTER`` words are still set aside), which makes
small installs propose more readily.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import select

from kb.database import Database
from kb.documents import ACTIVE, Document, DocumentVersion
from retrieval.grounding import stems
from review.interfaces import Encoder, Searcher
from review.replies import without_placeholders
from review.scans import ScannedResolution
from review.signals import HEAVILY_EDITED

CLUSTER_SIMILARITY = 0.6
MIN_CLUSTER = 2  # tickets needed before a recurring question becomes a proposal
CORE_SHARE = 0.5  # a distinctive term is used by at least this share of a group's tickets
MIN_LIFT = 3.0
# Below this many scanned tickets, "more common than in other tickets" means little: the lift
# test is skipped and only the words every ticket uses are set aside.
MIN_BACKGROUND = 50
CHATTER = frozenset(
    (
        "hi",
        "hello",
        "hey",
        "dear",
        "thanks",
        "thank",
        "cheers",
        "please",
        "sorry",
        "i'm",
        "i've",
        "i'd",
        "i'll",
        "you're",
        "you've",
        "we're",
        "we've",
        "it's",
        "that's",
        "there's",
        "can't",
        "don't",
        "didn't",
        "doesn't",
        "won't",
        "isn't",
        "just",
        "also",
        "really",
        "still",
        "again",
        "know",
        "want",
        "need",
        "get",
        "got",
        "way",
        "help",
        "hope",
        "ok",
        "okay",
        "yes",
        "sure",
        "great",
        "question",
        "let",
        "",
    )
)
DISTINCTIVE_TERMS = 10
WEAK_COVERAGE = 0.3
CANDIDATE_ARTICLES = 3  # articles per ticket question considered for coverage
SEARCH_K = 8

Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Coverage:
    """How much of a group's distinctive vocabulary the best matching article holds."""

    doc_id: str | None
    share: float
    missing: list[str]  # the heaviest distinctive terms the article lacks (stems)

    @property
    def weak(self) -> bool:
        return self.share < WEAK_COVERAGE


@dataclass(frozen=True)
class Verdict:
    """What a group of gap tickets should become: a new article, an amendment, or nothing."""

    kind: str | None  # "new" | "amendment" | None (covered)
    doc_id: str | None  # the article to amend, or the best match of a new one
    coverage: Coverage


def embed(encoder: Encoder, rows: Sequence[ScannedResolution]) -> Vectors:
    if not rows:
        return np.zeros((0, 0), dtype=np.float32)
    return encoder.encode([without_placeholders(row.text) for row in rows])


def centroid(vectors: Vectors) -> Vectors:
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    result: Vectors = (mean / norm if norm else mean).astype(np.float32)
    return result


def group(vectors: Vectors, *, threshold: float = CLUSTER_SIMILARITY) -> list[list[int]]:
    """Greedy centroid clustering in the given order: row indexes per group."""
    groups: list[list[int]] = []
    centres: list[Vectors] = []
    for i in range(len(vectors)):
        if centres:
            scores = np.stack(centres) @ vectors[i]
            best = int(np.argmax(scores))
            if float(scores[best]) >= threshold:
                groups[best].append(i)
                centres[best] = centroid(vectors[groups[best]])
                continue
        groups.append([i])
        centres.append(vectors[i])
    return groups


@dataclass(frozen=True)
class TicketTerms:
    """In how many of the scanned tickets each stem occurs."""

    frequency: Counter[str]
    total: int

    @classmethod
    def of(cls, texts: Sequence[str]) -> TicketTerms:
        frequency: Counter[str] = Counter()
        for text in texts:
            frequency.update(stems(without_placeholders(text)))
        return cls(frequency, max(len(texts), 1))


@dataclass(frozen=True)
class KnowledgeTerms:
    """The stems of every live article, read once per scan that has groups to check."""

    by_doc: dict[str, set[str]]

    @classmethod
    def load(cls, database: Database) -> KnowledgeTerms:
        by_doc: dict[str, set[str]] = {}
        with database.sessions() as session:
            rows = session.execute(
                select(Document.doc_id, DocumentVersion.title, DocumentVersion.body)
                .join(DocumentVersion, DocumentVersion.document_id == Document.id)
                .where(Document.state == ACTIVE, DocumentVersion.version == Document.live_version)
            )
            for doc_id, title, body in rows:
                by_doc[doc_id] = stems(f"{title}\n{body}")
        return cls(by_doc)

    def rarity(self, term: str) -> float:
        held = sum(term in terms for terms in self.by_doc.values())
        return math.log((len(self.by_doc) + 1) / (held + 0.5))


def distinctive(
    members: Sequence[ScannedResolution], tickets: TicketTerms, knowledge: KnowledgeTerms
) -> dict[str, float]:
    """The group's distinctive stems (module docstring), weighted by rarity in the knowledge."""
    counts: Counter[str] = Counter()
    for member in members:
        counts.update(stems(without_placeholders(member.text)))
    needed = max(2, math.ceil(len(members) * CORE_SHARE))
    background = tickets.total >= MIN_BACKGROUND

    def lift(term: str, n: int) -> float:
        return (n / len(members)) / (max(tickets.frequency[term], n) / tickets.total)

    lifted = [
        term
        for term, n in counts.items()
        if n >= needed and term not in CHATTER and (not background or lift(term, n) >= MIN_LIFT)
    ]
    # Squared, so a word no article uses outweighs several that some articles do.
    weights = {term: knowledge.rarity(term) ** 2 for term in lifted}
    kept = sorted(weights, key=lambda t: (-weights[t], t))[:DISTINCTIVE_TERMS]
    return {term: weights[term] for term in kept}


class CoverageCheck:
    """Searches the live knowledge base for a group's questions and weighs the best article."""

    def __init__(self, search: Searcher) -> None:
        self.search = search

    def top_documents(self, member: ScannedResolution) -> list[str]:
        """The articles search ranks first for the member's question (its reply if none)."""
        query = "\n".join(p for p in (member.subject, member.question) if p) or member.reply
        hits = self.search.search(query, k=SEARCH_K)
        return list(dict.fromkeys(hit.doc_id for hit in hits))[:CANDIDATE_ARTICLES]

    def measure(
        self,
        members: Sequence[ScannedResolution],
        terms: dict[str, float],
        knowledge: KnowledgeTerms,
    ) -> Coverage:
        """The group's coverage by the best of the articles search ranks first for it."""
        tops = [self.top_documents(m) for m in members]
        votes: Counter[str] = Counter()
        for top in tops:
            for rank, doc_id in enumerate(top):
                votes[doc_id] += CANDIDATE_ARTICLES - rank  # a Borda count
        total = sum(terms.values())
        best = Coverage(None, 0.0, sorted(terms, key=lambda t: -terms[t])[:6])
        if not total:
            # Nothing sets the group apart from other tickets: it is not a topic of its own.
            return Coverage(None, 1.0, [])
        for doc_id, _ in votes.most_common(CANDIDATE_ARTICLES):
            held = knowledge.by_doc.get(doc_id)
            if held is None:
                continue
            share = sum(w for t, w in terms.items() if t in held) / total
            if best.doc_id is None or share > best.share:
                missing = sorted((t for t in terms if t not in held), key=lambda t: -terms[t])
                best = Coverage(doc_id, round(share, 3), missing[:6])
        return best


def classify(members: Sequence[ScannedResolution], coverage: Coverage) -> Verdict:
    """An amendment when most members' drafts were rewritten and every draft cited one same
    article (it is the right place, and it fell short); a new article when no article covers
    the group; otherwise nothing to propose."""
    edited = sum(HEAVILY_EDITED in m.signal_list for m in members)
    shared = set(members[0].cited)
    for member in members[1:]:
        shared &= set(member.cited)
    if edited * 2 >= len(members) and shared:
        target = coverage.doc_id if coverage.doc_id in shared else sorted(shared)[0]
        return Verdict("amendment", target, coverage)
    if coverage.weak:
        return Verdict("new", coverage.doc_id, coverage)
    return Verdict(None, coverage.doc_id, coverage)
