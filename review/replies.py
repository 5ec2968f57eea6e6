"""Final replies as knowledge: the greeting and sign-off cut, split into sentences and steps.

An agent's reply is addressed to one person ("Hi Pia,", "— Omar, Fernhill Support", "How did
we do?"); an article is not. What is left after the cut is the answer, which is what several
replies to the same question have in common.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kb.pii_placeholders import PLACEHOLDER

# "Hi Pia," / "Hello <PERSON_1>!" / "Dear Fernhill team," at the very start of the reply.
_GREETING = re.compile(
    r"\A\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|hiya|greetings)\b"
    r"[^\n,!.:]{0,40}[,!.:]?[ \t]*\n?",
    re.IGNORECASE,
)
# A line that starts the closing: "— Omar, Fernhill Support", "Best,", "Thanks again,".
_SIGNOFF = re.compile(
    r"^\s*(?:[—–]|--|best\b|thanks\b|thank you\b|many thanks|cheers\b|kind regards|regards\b"
    r"|warm regards|all the best|speak soon|take care)",
    re.IGNORECASE,
)
SIGNOFF_LINES = 4  # a closing is one of the last few lines, and short
SIGNOFF_CHARS = 60
# Requests for feedback are the helpdesk's, not knowledge.
_FEEDBACK = re.compile(r"how did we do|rate (?:us|this|your)|reply with a \d", re.IGNORECASE)
_STEP = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s+(?P<text>.+)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“(<A-Z0-9])")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class ReplyParts:
    """A cleaned reply: its prose sentences and its list items (steps), in order."""

    sentences: list[str]
    steps: list[str]


def clean_reply(text: str) -> str:
    """The reply without its greeting, closing and feedback request."""
    body = _GREETING.sub("", text.strip(), count=1)
    lines = [line for line in body.splitlines() if not _FEEDBACK.search(line)]
    while lines and not lines[-1].strip():
        lines.pop()
    # Never the first line: "Thanks for asking. It works on every plan." is an answer.
    for index in range(max(1, len(lines) - SIGNOFF_LINES), len(lines)):
        line = lines[index]
        if _SIGNOFF.match(line) and len(line.strip()) <= SIGNOFF_CHARS:
            lines = lines[:index]
            break
    return "\n".join(lines).strip()


def split_reply(text: str) -> ReplyParts:
    """Sentences of the prose and items of any list, from an already cleaned reply."""
    sentences: list[str] = []
    steps: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        step = _STEP.match(line)
        if step:
            steps.append(step.group("text").strip())
            continue
        sentences.extend(s.strip() for s in _SENTENCE_END.split(line.strip()) if s.strip())
    return ReplyParts(sentences, steps)


def without_placeholders(text: str) -> str:
    """Text to compare or embed: a placeholder says only that something was removed."""
    return " ".join(PLACEHOLDER.sub(" ", text).split())


def slugify(title: str, *, limit: int = 80) -> str:
    """A document id from a title: lowercase ASCII words joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = _SLUG.sub("-", ascii_title.lower()).strip("-")
    return slug[:limit].rstrip("-") or "article"


def title_from_subject(subject: str) -> str:
    """A ticket subject as an article title: "Re:" and trailing punctuation dropped."""
    text = re.sub(r"^\s*(?:re|fw|fwd)\s*:\s*", "", subject, flags=re.IGNORECASE)
    text = without_placeholders(text).strip(" ?!.-–—")
    return text[:1].upper() + text[1:] if text else ""


def excerpt(text: str, *, limit: int = 400) -> str:
    """The start of a text, cut at a word boundary."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + " …"
