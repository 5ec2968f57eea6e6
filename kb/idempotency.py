"""Idempotency keys: a POST retried with the same key gets the first answer, not a second write."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.database import Base, UTCDateTime, utcnow


class IdempotencyRecord(Base):
    """The first successful answer to a request sent with an ``Idempotency-Key``."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("caller", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    caller: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdempotencyStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, caller: str, key: str) -> IdempotencyRecord | None:
        return self.session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.caller == caller, IdempotencyRecord.key == key
            )
        )

    def remember(self, caller: str, key: str, request_hash: str, status: int, body: str) -> None:
        self.session.add(
            IdempotencyRecord(
                caller=caller, key=key, request_hash=request_hash, status=status, response=body
            )
        )
