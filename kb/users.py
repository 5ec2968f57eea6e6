"""People who sign in to the web app, their roles, and their login sessions."""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Boolean, ForeignKey, Integer, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from kb.audit import AuditLog
from kb.database import Base, UTCDateTime, utcnow
from kb.errors import Conflict, InvalidInput, NotFound

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
MIN_PASSWORD_LENGTH = 10
# A hash computed once so a login for an unknown user costs as much as one for a known user.
_DUMMY_HASH = generate_password_hash("tandem-timing-equaliser")


class Role(enum.StrEnum):
    """What a user may do; every route names the roles it admits."""

    AGENT = "agent"
    KNOWLEDGE_MANAGER = "knowledge_manager"
    BRAND_OWNER = "brand_owner"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class User(Base):
    """A person with a password and one role."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sessions: Mapped[list[LoginSession]] = relationship(back_populates="user")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class LoginSession(Base):
    """A server-side web session; the cookie carries only its random id.

    Logging out or changing the password revokes the row, so a copied cookie stops working at
    once instead of living until it expires.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship(back_populates="sessions")


def hash_token(raw: str) -> str:
    """Tokens are random, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class UserService:
    """Creates users, checks passwords, changes roles and passwords; every change is audited."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.audit = AuditLog(session)

    def create(
        self, username: str, password: str, role: Role | str, *, actor: str, display_name: str = ""
    ) -> User:
        username = username.strip().lower()
        errors: dict[str, list[str]] = {}
        if not USERNAME_PATTERN.match(username):
            errors["username"] = [
                "Use 2-63 lowercase letters, digits, dots, dashes or underscores."
            ]
        if role not in {r.value for r in Role}:
            errors["role"] = [f"Must be one of: {', '.join(r.value for r in Role)}."]
        errors.update(_password_errors(password))
        if errors:
            raise InvalidInput("The user could not be created.", errors)
        if self.find(username) is not None:
            raise InvalidInput("The user could not be created.", {"username": ["Already taken."]})
        user = User(
            username=username,
            display_name=display_name or username,
            password_hash=generate_password_hash(password),
            role=Role(role).value,
        )
        self.session.add(user)
        self.session.flush()
        self.audit.append(
            actor=actor, action="user.create", subject=f"user:{username}", data={"role": user.role}
        )
        return user

    def find(self, username: str) -> User | None:
        return self.session.scalar(select(User).where(User.username == username.strip().lower()))

    def get(self, user_id: int) -> User:
        user = self.session.get(User, user_id)
        if user is None:
            raise NotFound(f"No user with id {user_id}.")
        return user

    def all(self) -> list[User]:
        return list(self.session.scalars(select(User).order_by(User.username)))

    def authenticate(self, username: str, password: str) -> User | None:
        """The active user with this name and password, or None (in constant-ish time)."""
        user = self.find(username)
        if user is None or not user.is_active:
            check_password_hash(_DUMMY_HASH, password)
            return None
        return user if check_password_hash(user.password_hash, password) else None

    def change_password(self, user: User, current: str, new: str, *, actor: str) -> None:
        if not check_password_hash(user.password_hash, current):
            raise InvalidInput("Password not changed.", {"current_password": ["Incorrect."]})
        self.set_password(user, new, actor=actor)

    def set_password(self, user: User, new: str, *, actor: str) -> None:
        errors = _password_errors(new, field="new_password")
        if errors:
            raise InvalidInput("Password not changed.", errors)
        user.password_hash = generate_password_hash(new)
        user.password_changed_at = utcnow()
        LoginSessions(self.session).revoke_all(user)
        self.audit.append(actor=actor, action="user.password", subject=f"user:{user.username}")

    def set_role(self, user: User, role: Role | str, *, actor: str) -> None:
        if role not in {r.value for r in Role}:
            raise InvalidInput("Role not changed.", {"role": ["Unknown role."]})
        old, user.role = user.role, Role(role).value
        self.audit.append(
            actor=actor,
            action="user.role",
            subject=f"user:{user.username}",
            data={"from": old, "to": user.role},
        )

    def set_active(self, user: User, active: bool, *, actor: str) -> None:
        if user.username == actor and not active:
            raise Conflict("You cannot deactivate yourself.")
        user.is_active = active
        if not active:
            LoginSessions(self.session).revoke_all(user)
        self.audit.append(
            actor=actor,
            action="user.activate" if active else "user.deactivate",
            subject=f"user:{user.username}",
        )


class LoginSessions:
    """Starts, resolves and revokes server-side web sessions."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def start(self, user: User) -> str:
        raw = secrets.token_urlsafe(32)
        self.session.add(LoginSession(token_hash=hash_token(raw), user_id=user.id))
        self.session.flush()
        return raw

    def resolve(self, raw: str, *, idle_limit: timedelta) -> User | None:
        """The user of a live session, refreshing its last-seen time; None once revoked or idle."""
        login = self.session.scalar(
            select(LoginSession).where(LoginSession.token_hash == hash_token(raw))
        )
        if login is None or login.revoked_at is not None or not login.user.is_active:
            return None
        now = utcnow()
        if now - login.last_seen_at > idle_limit:
            login.revoked_at = now
            return None
        if now - login.last_seen_at > timedelta(minutes=1):
            # Touch at most once a minute: a write per request would serialize SQLite readers.
            login.last_seen_at = now
        return login.user

    def revoke(self, raw: str) -> None:
        self.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == hash_token(raw), LoginSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )

    def revoke_all(self, user: User) -> None:
        self.session.execute(
            update(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def _password_errors(password: str, field: str = "password") -> dict[str, list[str]]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return {field: [f"Use at least {MIN_PASSWORD_LENGTH} characters."]}
    if len(password) > 1024:
        return {field: ["Use at most 1024 characters."]}
    return {}
