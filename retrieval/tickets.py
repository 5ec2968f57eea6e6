"""``TicketIn``: a ticket as detection and the context package read it, normalised once.

The API validates a ticket with ``webapp.api.schemas.TicketSchema``; ``TicketIn.from_api`` turns
that validated mapping (or a demo ticket from ``kb.demo.demo_tickets``, whose history times are
still ISO text) into one typed value: times are timezone-aware UTC, missing text is ``""``, the
history is ordered oldest first. Nothing downstream looks at the raw mapping again.

Evidence for an escalation points into a ticket by *field path*: ``subject``, ``body``,
``created_at``, ``customer.<key>`` or ``history[<i>].subject`` / ``history[<i>].summary``;
``TicketIn.text_of(path)`` gives the text those offsets are into.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from kb.errors import InvalidInput

TIERS = ("free", "standard", "premium", "vip")
DEFAULT_TIER = "standard"
_HISTORY_PATH = re.compile(r"history\[(\d+)\]\.(subject|summary)")
# The customer fields that identify the person: redacted wherever they appear in text.
IDENTITY_FIELDS = (
    ("name", "PERSON"),
    ("email", "EMAIL_ADDRESS"),
    ("phone", "PHONE_NUMBER"),
    ("company", "ORGANIZATION"),
)


@dataclass(frozen=True)
class HistoryItem:
    """An earlier contact of the same customer, as the helpdesk summarised it."""

    id: str
    channel: str = ""
    at: datetime | None = None
    subject: str = ""
    summary: str = ""
    status: str = ""

    @property
    def text(self) -> str:
        return f"{self.subject}\n{self.summary}".strip()


@dataclass(frozen=True)
class TicketIn:
    """One incoming ticket: its text, when it arrived, who sent it and their earlier contacts."""

    id: str
    channel: str
    body: str
    subject: str = ""
    status: str = "open"
    created_at: datetime | None = None
    customer: Mapping[str, Any] = field(default_factory=dict)
    history: tuple[HistoryItem, ...] = ()

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> TicketIn:
        """Build from ``TicketSchema().load(...)``'s result (or a demo ticket)."""
        missing = [key for key in ("id", "channel", "body") if not data.get(key)]
        if missing:
            raise InvalidInput(
                "the ticket lacks required fields", {key: ["Missing data."] for key in missing}
            )
        customer = {k: _plain(v) for k, v in dict(data.get("customer") or {}).items()}
        history = sorted(
            (_history_item(item) for item in data.get("history") or ()),
            key=lambda h: h.at or datetime.min.replace(tzinfo=UTC),
        )
        return cls(
            id=str(data["id"]),
            channel=str(data["channel"]),
            body=str(data["body"]),
            subject=str(data.get("subject") or ""),
            status=str(data.get("status") or "open"),
            created_at=_utc(data.get("created_at")),
            customer=customer,
            history=tuple(history),
        )

    @property
    def tier(self) -> str:
        """The profile's tier, or ``standard`` when it is missing or not one Tandem knows."""
        tier = str(self.customer.get("tier") or DEFAULT_TIER).strip().lower()
        return tier if tier in TIERS else DEFAULT_TIER

    @property
    def text(self) -> str:
        """Subject and body, as classifiers read them."""
        return f"{self.subject}\n{self.body}".strip()

    def identity_deny_list(self) -> dict[str, list[str]]:
        """The customer's own identity values by entity type, for the redactor's deny-list."""
        return identity_deny_list(self.customer)

    def text_of(self, path: str) -> str:
        """The text at a field path (see the module docstring); KeyError for an unknown one."""
        if path in ("subject", "body"):
            return str(getattr(self, path))
        if path == "created_at":
            return self.created_at.isoformat() if self.created_at else ""
        if path.startswith("customer."):
            return str(self.customer.get(path.removeprefix("customer."), ""))
        match = _HISTORY_PATH.fullmatch(path)
        if match and int(match.group(1)) < len(self.history):
            return str(getattr(self.history[int(match.group(1))], match.group(2)))
        raise KeyError(path)


def _history_item(item: Mapping[str, Any]) -> HistoryItem:
    return HistoryItem(
        id=str(item["id"]),
        channel=str(item.get("channel") or ""),
        at=_utc(item.get("at")),
        subject=str(item.get("subject") or ""),
        summary=str(item.get("summary") or ""),
        status=str(item.get("status") or ""),
    )


def _utc(value: Any) -> datetime | None:
    """An aware UTC datetime from a datetime or ISO text; naive times are taken as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as exc:
            raise InvalidInput("bad timestamp", {"created_at": [str(exc)]}) from exc
    if not isinstance(value, datetime):
        raise InvalidInput("bad timestamp", {"created_at": [f"not a time: {value!r}"]})
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _plain(value: Any) -> Any:
    # The schema loads ``since`` as a date; keep profile values JSON-ready.
    return value.isoformat() if isinstance(value, date) else value


def identity_deny_list(customer: Mapping[str, Any]) -> dict[str, list[str]]:
    """A customer's own identity values (name, email, phone, company) by entity type: the
    redactor's deny-list, so they are redacted wherever they appear in the ticket's texts."""
    deny: dict[str, list[str]] = {}
    for key, entity_type in IDENTITY_FIELDS:
        value = str(customer.get(key) or "").strip()
        if value:
            deny.setdefault(entity_type, []).append(value)
    return deny
