from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from kb.audit import AuditLog
from kb.errors import Conflict, InvalidInput
from kb.tokens import ApiToken, TokenService
from kb.users import LoginSessions, Role, UserService

HOUR = timedelta(hours=1)


def test_a_created_user_can_sign_in_with_their_password(session: Session) -> None:
    UserService(session).create("Alice", "correct-horse-battery", Role.AGENT, actor="test")
    user = UserService(session).authenticate("alice", "correct-horse-battery")
    assert user is not None
    assert user.role_enum is Role.AGENT
    assert UserService(session).authenticate("alice", "wrong-password!!") is None


def test_passwords_are_stored_hashed(session: Session) -> None:
    user = UserService(session).create("alice", "correct-horse-battery", "agent", actor="test")
    assert "correct-horse-battery" not in user.password_hash


@pytest.mark.parametrize(
    ("username", "password", "role", "field"),
    [
        ("alice", "short", "agent", "password"),
        ("Not A Name!", "long-enough-password", "agent", "username"),
        ("alice", "long-enough-password", "superuser", "role"),
    ],
)
def test_invalid_users_are_refused_with_the_field_named(
    session: Session, username: str, password: str, role: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        UserService(session).create(username, password, role, actor="test")
    assert field in caught.value.errors
    assert UserService(session).all() == []


def test_a_taken_user_name_is_refused(session: Session) -> None:
    UserService(session).create("alice", "long-enough-password", "agent", actor="test")
    with pytest.raises(InvalidInput) as caught:
        UserService(session).create("ALICE", "long-enough-password", "admin", actor="test")
    assert caught.value.errors == {"username": ["Already taken."]}


def test_changing_the_password_ends_every_session(session: Session) -> None:
    service, logins = UserService(session), LoginSessions(session)
    user = service.create("alice", "long-enough-password", "agent", actor="test")
    laptop, phone = logins.start(user), logins.start(user)
    service.change_password(user, "long-enough-password", "another-long-password", actor="alice")
    assert logins.resolve(laptop, idle_limit=HOUR) is None
    assert logins.resolve(phone, idle_limit=HOUR) is None


def test_an_idle_session_expires(session: Session) -> None:
    user = UserService(session).create("alice", "long-enough-password", "agent", actor="test")
    raw = LoginSessions(session).start(user)
    assert LoginSessions(session).resolve(raw, idle_limit=timedelta(seconds=-1)) is None
    assert LoginSessions(session).resolve(raw, idle_limit=HOUR) is None


def test_deactivated_users_cannot_sign_in_and_lose_their_sessions(session: Session) -> None:
    service = UserService(session)
    user = service.create("alice", "long-enough-password", "agent", actor="test")
    raw = LoginSessions(session).start(user)
    service.set_active(user, False, actor="ada")
    assert service.authenticate("alice", "long-enough-password") is None
    assert LoginSessions(session).resolve(raw, idle_limit=HOUR) is None


def test_an_admin_cannot_deactivate_themselves(session: Session) -> None:
    user = UserService(session).create("ada", "long-enough-password", "admin", actor="test")
    with pytest.raises(Conflict):
        UserService(session).set_active(user, False, actor="ada")


def test_tokens_are_shown_once_and_stored_only_as_a_hash(session: Session) -> None:
    issued = TokenService(session).create("zendesk", role=Role.AGENT, actor="ada")
    stored = session.get(ApiToken, issued.token.id)
    assert stored is not None
    assert issued.secret not in (stored.token_hash, stored.prefix)
    assert TokenService(session).authenticate(issued.secret) is stored


def test_a_token_records_when_it_was_last_used(session: Session) -> None:
    issued = TokenService(session).create("zendesk", actor="ada")
    assert issued.token.last_used_at is None
    TokenService(session).authenticate(issued.secret)
    assert issued.token.last_used_at is not None


def test_a_revoked_token_no_longer_authenticates(session: Session) -> None:
    issued = TokenService(session).create("zendesk", actor="ada")
    TokenService(session).revoke(issued.token.id, actor="ada")
    assert TokenService(session).authenticate(issued.secret) is None
    assert TokenService(session).authenticate("tdm_not-a-real-token") is None


def test_account_changes_are_audited(session: Session) -> None:
    user = UserService(session).create("alice", "long-enough-password", "agent", actor="ada")
    UserService(session).set_role(user, Role.KNOWLEDGE_MANAGER, actor="ada")
    TokenService(session).create("zendesk", actor="ada")
    actions = [entry.action for entry in AuditLog(session).entries()]
    assert actions == ["token.create", "user.role", "user.create"]
