"""The append-only, hash-chained audit log.

Each entry's hash covers its own fields and the previous entry's hash, so editing, inserting or
deleting a row anywhere breaks the chain from that row on; ``verify`` finds the first broken row.
A one-row ``audit_head`` table holds the last hash: appends lock it (``FOR UPDATE`` on PostgreSQL;
SQLite has one writer at a time, so a concurrent append waits or fails, never forks the chain),
and deleting the newest rows is caught too. Database triggers (see the migrations) refuse UPDATE
and DELETE.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.database import Base, UTCDateTime, utcnow

GENESIS = "0" * 64


class AuditEntry(Base):
    """One audited event: who did what to which subject, with details."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100), index=True)
    subject: Mapped[str] = mapped_column(String(300), index=True)
    data: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    @property
    def details(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.data)
        return loaded


class AuditHead(Base):
    """The single row naming the newest entry; appends lock it to keep the chain linear."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of checking the chain: ``broken_id`` is None when it is intact."""

    checked: int
    broken_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def canonical(data: Mapping[str, Any]) -> str:
    """JSON with sorted keys and no spaces, so the same data always hashes the same."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(entry: AuditEntry) -> str:
    payload = canonical(
        {
            "id": entry.id,
            "at": entry.at.isoformat(),
            "actor": entry.actor,
            "action": entry.action,
            "subject": entry.subject,
            "data": entry.data,
            "prev": entry.prev_hash,
        }
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class AuditLog:
    """Appends to and verifies the audit log inside the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def append(
        self, *, actor: str, action: str, subject: str, data: Mapping[str, Any] | None = None
    ) -> AuditEntry:
        """Add one entry chained to the newest; callers pass already-redacted data."""
        head = self.session.execute(
            select(AuditHead).where(AuditHead.id == 1).with_for_update()
        ).scalar_one_or_none()
        if head is None:
            head = AuditHead(id=1, last_id=0, last_hash=GENESIS)
            self.session.add(head)
        entry = AuditEntry(
            id=head.last_id + 1,
            at=utcnow(),
            actor=actor,
            action=action,
            subject=subject,
            data=canonical(dict(data or {})),
            prev_hash=head.last_hash,
        )
        entry.hash = entry_hash(entry)
        self.session.add(entry)
        head.last_id, head.last_hash = entry.id, entry.hash
        self.session.flush()
        return entry

    def entries(
        self, *, subject: str | None = None, action: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        """The newest entries first, optionally for one subject or action."""
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if subject is not None:
            query = query.where(AuditEntry.subject == subject)
        if action is not None:
            query = query.where(AuditEntry.action == action)
        return list(self.session.scalars(query))

    def verify(self) -> VerifyReport:
        """Walk the chain from the start; report the first row whose hash or link is wrong."""
        prev, checked, last_id = GENESIS, 0, 0
        for entry in self._in_order():
            if entry.id != last_id + 1:
                return VerifyReport(checked, entry.id, f"entry {last_id + 1} is missing")
            if entry.prev_hash != prev:
                return VerifyReport(checked, entry.id, "does not link to the previous entry")
            if entry_hash(entry) != entry.hash:
                return VerifyReport(checked, entry.id, "content does not match its hash")
            prev, last_id, checked = entry.hash, entry.id, checked + 1
        head = self.session.get(AuditHead, 1)
        if head is not None and (head.last_id, head.last_hash) != (last_id, prev):
            return VerifyReport(checked, last_id + 1, "newest entries were removed")
        return VerifyReport(checked)

    def _in_order(self) -> Iterator[AuditEntry]:
        yield from self.session.scalars(
            select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000)
        )
