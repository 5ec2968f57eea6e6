"""Login throttling: too many failures for one user name or one address → wait.

Failures are rows in SQL rather than process memory, so the limit holds across server
workers and restarts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.database import Base, UTCDateTime, utcnow


class LoginFailure(Base):
    """One failed login, keyed by ``user:<name>`` or ``ip:<address>``."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class LoginThrottle:
    """Counts recent failures per key and says how long a caller must wait."""

    def __init__(self, session: Session, *, max_attempts: int, window: timedelta) -> None:
        self.session = session
        self.max_attempts = max_attempts
        self.window = window

    def retry_after(self, keys: list[str]) -> int:
        """Seconds until another attempt is allowed for all ``keys``; 0 when allowed now."""
        since = utcnow() - self.window
        wait = 0
        for key in keys:
            count, oldest = self.session.execute(
                select(func.count(), func.min(LoginFailure.at)).where(
                    LoginFailure.key == key, LoginFailure.at > since
                )
            ).one()
            if count >= self.max_attempts and oldest is not None:
                oldest_at = (
                    oldest if isinstance(oldest, datetime) else datetime.fromisoformat(oldest)
                )
                if oldest_at.tzinfo is None:
                    oldest_at = oldest_at.replace(tzinfo=utcnow().tzinfo)
                left = (oldest_at + self.window - utcnow()).total_seconds()
                wait = max(wait, int(left) + 1)
        return wait

    def record_failure(self, keys: list[str]) -> None:
        self.session.add_all(LoginFailure(key=key) for key in keys)
        # Old rows are useless for counting; prune so the table stays small.
        self.session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - self.window))

    def clear(self, key: str) -> None:
        self.session.execute(delete(LoginFailure).where(LoginFailure.key == key))
