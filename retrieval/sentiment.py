"""Sentiment: a lexicon with intensity, scored from -1 (furious) to 1 (delighted), with cues.

A learned model would need far more labeled tickets than the demo's 247, and could not say
*why*. The lexicon can: every point of the score comes from a ``Cue``, a span of the subject or
body, so the negative-sentiment escalation shows the agent the words that tripped it.

Cues come in kinds, each with a weight (``LEXICON``): ``strong`` words of anger or contempt
("unacceptable", "a joke", "fed up"), ``upset`` words of disappointment or worry, ``problem``
words that only say something is wrong ("failed", "locked out"), ``threat``s to go public,
``profanity``, ``shouting`` (words in capitals that are not acronyms), ``punctuation`` runs
("!!", "??") and ``positive`` words (ignored after a negation: "not happy" is upset). Problem
words are ignored after "no" ("no problem to report") and count for at most
``MAX_PROBLEM_WEIGHT`` together. The score is ``tanh((positive - negative) / SCALE)``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

SCALE = 3.0
NEGATIVE_BELOW = -0.3
POSITIVE_ABOVE = 0.3
MAX_SHOUTING = 4  # words in capitals counted per field: a shouted paragraph is one shout
MAX_PUNCTUATION = 2
# Naming a problem again and again says what is wrong, not how upset the customer is.
MAX_PROBLEM_WEIGHT = 1.5

# fmt: off
# kind → (weight, phrases). Phrases are regular expressions matched as whole words, ignoring case.
LEXICON: dict[str, tuple[float, tuple[str, ...]]] = {
    "strong": (
        3.0,
        (
            r"unacceptable", r"ridiculous", r"outrageous", r"disgrace\w*", r"disgusting",
            r"appalling", r"furious", r"livid", r"stupid", r"useless", r"pathetic",
            r"incompetent", r"(?:a|complete|total) joke", r"scam\w*", r"fed up", r"sick of",
            r"sick and tired", r"i'?m done", r"done with", r"sort it out", r"harassment",
            r"worst", r"terrible", r"awful", r"horrible", r"rubbish", r"shambles",
            r"never been treated", r"how am i supposed to", r"inaceptable", r"unverschämt",
            r"inadmissible", r"lächerlich",
        ),
    ),
    "upset": (
        1.5,
        (
            r"not happy", r"unhappy", r"not impressed", r"disappoint\w*", r"frustrat\w*",
            r"annoy\w*", r"angry", r"upset", r"embarrass\w*", r"unprofessional", r"worried",
            r"no explanation", r"heard nothing", r"nobody (?:has )?(?:told|replied|answered)",
            r"nobody can tell", r"what is going on", r"what'?s going on", r"seriously",
            r"real problems", r"serious harm", r"third time", r"3rd time", r"liable",
            r"demand\w*", r"lost business", r"lent her money", r"harm",
        ),
    ),
    "problem": (
        0.75,
        (
            r"fail\w*", r"declined", r"wrong", r"broken", r"missing", r"lost", r"gone",
            r"late", r"locked out", r"can'?t", r"cannot", r"not working", r"doesn'?t work",
            r"error", r"crash\w*", r"penalty", r"charged twice", r"double[- ]charged",
            r"twice", r"frozen", r"blocked", r"stuck", r"still", r"again", r"not arrived",
            r"hasn'?t arrived", r"never arrived", r"short by", r"withheld", r"without",
            r"expired", r"invalid", r"problem\w*", r"issue\w*", r"urgent\w*",
            r"need .{0,30}today", r"fallida", r"no puede", r"schon wieder", r"nicht angekommen",
            r"deux fois", r"ne reçois plus", r"rücklastschrift",
        ),
    ),
    "threat": (
        2.0,
        (
            r"post(?:ed|ing)? (?:about|a review|on)", r"trustpilot", r"facebook",
            r"social media", r"tell(?:ing)? (?:every|all|everyone)", r"stay away",
            r"go(?:ing)? public", r"report(?:ing)? you",
        ),
    ),
    "profanity": (
        2.0,
        (r"damn\w*", r"crap\w*", r"bloody", r"wtf", r"pissed", r"hell", r"f\*+\w*", r"sh\*t"),
    ),
    "positive": (
        1.5,
        (
            r"love", r"brilliant", r"great", r"amazing", r"awesome", r"fantastic",
            r"excellent", r"happy with", r"(?:we'?re|i'?m) happy", r"appreciate\w*",
            r"thanks so much", r"lol", r"wonderful", r"perfect",
        ),
    ),
}
# Capitalised words that are names of things, not shouting.
ACRONYMS = frozenset((
    "ACH", "ADA", "AG", "AM", "AP", "API", "BACS", "BIN", "CC", "CEO", "CS", "CSV", "DD", "DE",
    "DX", "EU", "FAQ", "FPS", "FR", "FTC", "GB", "GBP", "GDPR", "HMRC", "HR", "ICO", "ID", "IE",
    "II", "IRS", "IT", "IBAN", "NL", "OK", "PAYE", "PDF", "PIN", "PO", "QR", "SA", "SEPA",
    "SMS", "SOC", "SSN", "TIN", "TLS", "UI", "UK", "US", "USA", "USD", "VAT", "VIP", "WISE",
    "EUR", "CAD", "AUD", "PM", "NI", "NIC", "UTR", "ERP", "CRM", "ERA",
))
# Capitalised words that shout even alone.
EMPHASIS = frozenset((
    "NOT", "NO", "NEVER", "STILL", "AGAIN", "NOW", "WHY", "WHAT", "GONE", "WRONG", "TODAY",
    "ALL", "EVERY", "ANY", "MY", "YOUR", "AFTER", "SEE", "AND", "TWICE", "THREE", "FOUR",
    "DONE", "STOP", "PLEASE", "URGENT", "HELP",
))
# fmt: on
NEGATIONS = re.compile(r"(?:\bnot|n't|\bnever|\bno)\s+(?:\w+\s+)?$", re.IGNORECASE)
NO_PROBLEM = re.compile(r"\b(?:no|not an?|nothing|never an?)\s+$", re.IGNORECASE)
_CAPITALS = re.compile(r"\b[A-Z][A-Z']*(?:[ ]+[A-Z][A-Z']*)*\b")
_PUNCTUATION = re.compile(r"[!?]{2,}")
_PATTERNS = {
    kind: (weight, re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE))
    for kind, (weight, phrases) in LEXICON.items()
}


@dataclass(frozen=True)
class Cue:
    """A span of one field that moved the score: ``field`` is ``subject`` or ``body``."""

    field: str
    start: int
    end: int
    text: str
    kind: str
    weight: float  # negative cues count against the score, positive ones for it

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Sentiment:
    label: str  # negative | neutral | positive
    score: float  # -1 … 1
    cues: tuple[Cue, ...] = ()

    @property
    def strongest(self) -> Cue | None:
        """The negative cue that weighed most (the first of equals)."""
        negative = [c for c in self.cues if c.weight < 0]
        return min(negative, key=lambda c: (c.weight, c.start)) if negative else None

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "score": round(self.score, 3)}


def analyse_sentiment(fields: Iterable[tuple[str, str]]) -> Sentiment:
    """Sentiment of several named texts together: ``[("subject", …), ("body", …)]``."""
    cues = [cue for name, text in fields for cue in _cues(name, text)]
    problems = sum(c.weight for c in cues if c.kind == "problem")
    net = sum(c.weight for c in cues if c.kind != "problem") + max(problems, -MAX_PROBLEM_WEIGHT)
    score = math.tanh(net / SCALE)
    if score <= NEGATIVE_BELOW:
        label = "negative"
    elif score >= POSITIVE_ABOVE:
        label = "positive"
    else:
        label = "neutral"
    return Sentiment(label, score, tuple(cues))


def _cues(field: str, text: str) -> list[Cue]:
    cues: list[Cue] = []
    taken: list[tuple[int, int]] = []
    # Heavier kinds first, so "not happy" is upset rather than a negated "happy".
    for kind, (weight, pattern) in sorted(_PATTERNS.items(), key=lambda kv: -kv[1][0]):
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            before = text[max(0, start - 20) : start]
            if kind == "positive" and NEGATIONS.search(before):
                continue
            if kind == "problem" and NO_PROBLEM.search(before):
                continue  # "no problem to report", "not an issue"
            signed = weight if kind == "positive" else -weight
            cues.append(Cue(field, start, end, match.group(0), kind, signed))
            taken.append((start, end))
    cues += _intensity(field, text)
    return sorted(cues, key=lambda c: c.start)


def _intensity(field: str, text: str) -> list[Cue]:
    """Shouting and "!!"/"??": how the words are written, on top of what they say."""
    shouts = [m for m in _CAPITALS.finditer(text) if _is_shouting(m.group(0))]
    cues, words = [], 0
    for m in shouts:
        count = min(len(m.group(0).split()), MAX_SHOUTING - words)
        if count <= 0:
            break
        cues.append(Cue(field, m.start(), m.end(), m.group(0), "shouting", -0.75 * count))
        words += count
    cues += [
        Cue(field, m.start(), m.end(), m.group(0), "punctuation", -0.75)
        for m in list(_PUNCTUATION.finditer(text))[:MAX_PUNCTUATION]
    ]
    return cues


def _is_shouting(run: str) -> bool:
    """Capitals that shout: several words in a row ("STILL LOCKED OUT"), or one emphatic word
    ("NOT", "AGAIN"); a lone unknown one is a product or a name ("NEST", "DSGVO")."""
    words = [w for w in run.split() if len(w) > 1 and w.removesuffix("'S") not in ACRONYMS]
    if len(run.split()) > 1:
        return len(words) >= 2 or any(w in EMPHASIS for w in words)
    return bool(words) and words[0] in EMPHASIS
