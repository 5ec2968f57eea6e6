"""The context package handed to the person who takes a ticket over: who the customer is, what
they did recently and on which channels, and a short summary of the thread with sources.

PII: every piece of text in the package (activity subjects, history summaries, the summary
sentences) goes through the redactor with the ticket's own identity — the customer's name,
e-mail, phone and company — as the deny-list, so it holds placeholders such as ``<PERSON_1>``
instead of anyone's details, the customer's included. The customer's own name and e-mail appear
once, in the profile, because the agent who takes over must know whom they are answering; the
phone number, the company and free-form helpdesk attributes are left out of the profile (the
helpdesk shows them to whoever needs them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, select

from kb.database import Database
from kb.redaction import DenyList, RedactedFields
from kb.tickets import Customer, Ticket
from retrieval.tickets import TicketIn

RECENT_LIMIT = 5
SUMMARY_SENTENCES = 3
MAX_SENTENCE = 240
# Profile fields the agent sees as they are; everything else in the package is redacted text.
PROFILE_FIELDS = ("id", "name", "email", "tier", "plan", "mrr", "since", "language")
# A sentence ends at . ! or ? before a space or the end of its line (not inside "a.b@c.d").
_SENTENCE = re.compile(r"\S.*?(?:[.!?]+(?=\s|$)|$)", re.M)
_WORD = re.compile(r"[a-z0-9]+")
_REQUEST = re.compile(
    r"\?|\b(?:please|can you|could you|i need|we need|how do|how can|i want|i'd like)\b", re.I
)
_PROBLEM = re.compile(
    r"\b(?:not|no longer|still|again|fail\w*|error|invalid|wrong|missing|locked out|can'?t)\b", re.I
)
# Words too common to say what a sentence is about.
_COMMON_WORDS = """
    the a an and or to of in on for is it i my we our you your me this that with be have has
    was are not do can how but at from by so if as they them there what when just get
"""
_COMMON = frozenset(_COMMON_WORDS.split())


class FieldRedactor(Protocol):
    """What the package needs of ``kb.redaction.Redactor``."""

    def redact_fields(
        self, fields: Mapping[str, str], *, deny: DenyList | None = None
    ) -> RedactedFields: ...


@dataclass(frozen=True)
class Activity:
    """One earlier contact: a stored ticket, a history item the helpdesk sent, or both."""

    ref: str  # "ticket:FH-10231" (stored) or "history:FH-10102" (from the helpdesk only)
    channel: str
    at: datetime | None
    subject: str  # redacted
    summary: str  # redacted; "" when the helpdesk sent none
    status: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "channel": self.channel,
            "at": self.at.isoformat() if self.at else None,
            "subject": self.subject,
            "summary": self.summary,
            "status": self.status,
        }


@dataclass(frozen=True)
class SummarySentence:
    text: str  # redacted
    source: str  # "ticket:<id>" or "history:<id>"

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "source": self.source}


@dataclass(frozen=True)
class ContextPackage:
    ticket_id: str
    customer: Mapping[str, Any]
    recent_activity: tuple[Activity, ...]
    cross_channel: Mapping[str, tuple[Activity, ...]]
    summary: tuple[SummarySentence, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ticket_id": self.ticket_id,
            "customer": dict(self.customer),
            "recent_activity": [a.to_dict() for a in self.recent_activity],
            "cross_channel": {
                channel: [a.to_dict() for a in items]
                for channel, items in self.cross_channel.items()
            },
            "summary": [s.to_dict() for s in self.summary],
        }


class ContextBuilder:
    """Builds context packages from the ticket and the stored tickets of its customer."""

    def __init__(
        self,
        database: Database,
        redactor: FieldRedactor,
        *,
        recent_limit: int = RECENT_LIMIT,
        summary_sentences: int = SUMMARY_SENTENCES,
    ) -> None:
        self.database = database
        self.redactor = redactor
        self.recent_limit = recent_limit
        self.summary_sentences = summary_sentences

    def build(self, ticket: TicketIn) -> ContextPackage:
        return self.build_redacted(ticket)[0]

    def build_redacted(self, ticket: TicketIn) -> tuple[ContextPackage, TicketIn]:
        """The package, and the ticket as redacted for it: drafting searches and quotes that
        text, so the whole draft shares one redaction pass and one placeholder numbering."""
        stored, counts = self._stored(ticket)
        clean, stored = self._redacted(ticket, stored)
        activity = _merge(clean, stored)
        by_channel: dict[str, list[Activity]] = {}
        for item in activity:
            by_channel.setdefault(item.channel or "unknown", []).append(item)
        package = ContextPackage(
            ticket_id=ticket.id,
            customer=_profile(ticket, counts),
            recent_activity=tuple(activity[: self.recent_limit]),
            cross_channel={channel: tuple(items) for channel, items in sorted(by_channel.items())},
            summary=tuple(_summary(clean, self.summary_sentences)),
        )
        return package, clean

    def _redacted(
        self, ticket: TicketIn, stored: Sequence[Activity]
    ) -> tuple[TicketIn, list[Activity]]:
        """The ticket and stored subjects redacted in one pass, with the ticket's identity as
        the deny-list: one numbering for the whole package, and a name found in one text is
        replaced in all of them. Sentences are chosen afterwards, from redacted text, so no
        split can cut a value in two."""
        fields = {"subject": ticket.subject, "body": ticket.body}
        for i, item in enumerate(ticket.history):
            fields[f"history[{i}].subject"] = item.subject
            fields[f"history[{i}].summary"] = item.summary
        for j, row in enumerate(stored):
            fields[f"stored[{j}]"] = row.subject
        out = self.redactor.redact_fields(fields, deny=ticket.identity_deny_list()).fields
        history = tuple(
            replace(
                item, subject=out[f"history[{i}].subject"], summary=out[f"history[{i}].summary"]
            )
            for i, item in enumerate(ticket.history)
        )
        clean = replace(ticket, subject=out["subject"], body=out["body"], history=history)
        return clean, [replace(row, subject=out[f"stored[{j}]"]) for j, row in enumerate(stored)]

    def _stored(self, ticket: TicketIn) -> tuple[list[Activity], dict[str, int]]:
        """The customer's newest stored tickets (not this one) and their counts by status."""
        key = ticket.customer.get("id") or ticket.customer.get("email")
        if not key:
            return [], {}
        with self.database.sessions() as session:
            customer = session.scalar(select(Customer).where(Customer.external_id == str(key)))
            if customer is None:
                return [], {}
            rows = session.scalars(
                select(Ticket)
                .where(Ticket.customer_id == customer.id, Ticket.external_id != ticket.id)
                .order_by(Ticket.created_at.desc())
                .limit(self.recent_limit * 4)
            )
            stored = [
                Activity(
                    f"ticket:{r.external_id}", r.channel, r.created_at, r.subject, "", r.status
                )
                for r in rows
            ]
            statuses = session.execute(
                select(Ticket.status, func.count())
                .where(Ticket.customer_id == customer.id)
                .group_by(Ticket.status)
            )
            counts = {str(status): int(count) for status, count in statuses}
        return stored, counts


def _merge(ticket: TicketIn, stored: Sequence[Activity]) -> list[Activity]:
    """Stored tickets and the helpdesk's history, one entry per contact, newest first."""
    history = {f"ticket:{item.id}": item for item in ticket.history}
    merged = [
        replace(row, summary=history[row.ref].summary) if row.ref in history else row
        for row in stored
    ]
    known = {row.ref for row in stored}
    merged += [
        Activity(
            f"history:{item.id}", item.channel, item.at, item.subject, item.summary, item.status
        )
        for ref, item in history.items()
        if ref not in known and item.id != ticket.id
    ]
    return sorted(merged, key=lambda a: a.at.timestamp() if a.at else 0.0, reverse=True)


def _profile(ticket: TicketIn, counts: Mapping[str, int]) -> dict[str, Any]:
    profile = {key: ticket.customer[key] for key in PROFILE_FIELDS if key in ticket.customer}
    profile["tier"] = ticket.tier
    profile["tickets_on_file"] = sum(counts.values())
    profile["open_tickets_on_file"] = counts.get("open", 0) + counts.get("pending", 0)
    return profile


@dataclass(frozen=True)
class _Candidate:
    text: str
    source: str
    score: float
    order: float  # when it was written: earlier history first, the ticket last


def _summary(ticket: TicketIn, limit: int) -> list[SummarySentence]:
    """Up to ``limit`` sentences: the ticket's main ask and what happened in the latest earlier
    contacts (more of the ticket when there is no history), oldest first so the thread reads in
    order."""
    topic = _stems(ticket.subject)
    asks = sorted(
        (
            _Candidate(s, f"ticket:{ticket.id}", _ask_score(s, topic, n), float("inf"))
            for n, s in enumerate(_sentences(ticket.body) or [ticket.subject.strip()])
            if s
        ),
        key=lambda c: -c.score,
    )
    earlier = sorted(
        (
            _Candidate(s, f"history:{item.id}", 0.0, item.at.timestamp() if item.at else 0.0)
            for item in ticket.history
            for s in _sentences(item.summary)[:1]
        ),
        key=lambda c: -c.order,
    )
    picked = asks[:1] + earlier[: limit - 1]
    picked += asks[1 : 1 + limit - len(picked)]
    picked.sort(key=lambda c: (c.order, -c.score))
    return [SummarySentence(c.text, c.source) for c in picked]


def _sentences(text: str) -> list[str]:
    """Sentences worth quoting: greetings, sign-offs and names on their own line are not."""
    found = [m.group(0).strip() for m in _SENTENCE.finditer(text)]
    return [s[:MAX_SENTENCE] for s in found if len(s.split()) >= 4]


def _ask_score(sentence: str, topic: set[str], position: int) -> float:
    """Sentences about the subject that ask for something or say what is wrong, early ones
    first."""
    words = _stems(sentence)
    asks = bool(_REQUEST.search(sentence))
    return len(words & topic) + 1.5 * asks + bool(_PROBLEM.search(sentence)) - 0.1 * position


def _stems(text: str) -> set[str]:
    return {w.removesuffix("s") for w in _WORD.findall(text.lower())} - _COMMON
