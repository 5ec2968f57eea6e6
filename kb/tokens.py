"""API bearer tokens: shown once, stored hashed, revocable, with a last-used time."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.audit import AuditLog
from kb.database import Base, UTCDateTime, utcnow
from kb.errors import InvalidInput, NotFound
from kb.users import Role, hash_token

TOKEN_PREFIX = "tdm_"  # noqa: S105  (a public marker, not a secret)
# Recording every use would turn each API read into a write; a minute's precision is plenty.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiToken(Base):
    """A bearer token for an integration (a helpdesk app, a script), acting with one role."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its secret, which is never shown again."""

    token: ApiToken
    secret: str


class TokenService:
    """Issues, authenticates, lists and revokes API tokens."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.audit = AuditLog(session)

    def create(self, name: str, *, role: Role | str = Role.AGENT, actor: str) -> IssuedToken:
        name = name.strip()
        errors: dict[str, list[str]] = {}
        if not 1 <= len(name) <= 100:
            errors["name"] = ["Give the token a name of 1-100 characters."]
        if role not in {r.value for r in Role}:
            errors["role"] = [f"Must be one of: {', '.join(r.value for r in Role)}."]
        if errors:
            raise InvalidInput("The token could not be created.", errors)
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(
            name=name,
            role=Role(role).value,
            token_hash=hash_token(secret),
            prefix=secret[: len(TOKEN_PREFIX) + 6],
            created_by=actor,
        )
        self.session.add(token)
        self.session.flush()
        self.audit.append(
            actor=actor,
            action="token.create",
            subject=f"token:{token.id}",
            data={"name": name, "role": token.role},
        )
        return IssuedToken(token, secret)

    def authenticate(self, secret: str) -> ApiToken | None:
        """The live token with this secret, its last-used time refreshed; None otherwise."""
        if not secret.startswith(TOKEN_PREFIX):
            return None
        token = self.session.scalar(
            select(ApiToken).where(ApiToken.token_hash == hash_token(secret))
        )
        if token is None or not token.is_active:
            return None
        now = utcnow()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            token.last_used_at = now
        return token

    def all(self) -> list[ApiToken]:
        return list(self.session.scalars(select(ApiToken).order_by(ApiToken.id)))

    def revoke(self, token_id: int, *, actor: str) -> ApiToken:
        token = self.session.get(ApiToken, token_id)
        if token is None:
            raise NotFound(f"No token with id {token_id}.")
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            self.audit.append(
                actor=actor,
                action="token.revoke",
                subject=f"token:{token.id}",
                data={"name": token.name},
            )
        return token
