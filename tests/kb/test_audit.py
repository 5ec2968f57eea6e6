from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kb.audit import AuditLog
from kb.database import Database


def _append_three(database: Database) -> None:
    with database.transaction() as s:
        log = AuditLog(s)
        log.append(actor="alice", action="draft.create", subject="ticket:FH-1", data={"n": 1})
        log.append(actor="alice", action="draft.accept", subject="ticket:FH-1", data={"n": 2})
        log.append(actor="kiran", action="doc.publish", subject="doc:refunds", data={"n": 3})


def _disable_append_only_guard(database: Database) -> None:
    """What an attacker with DDL rights would do first."""
    with database.engine.begin() as c:
        if database.engine.dialect.name == "sqlite":
            c.execute(text("DROP TRIGGER audit_log_no_update"))
            c.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            c.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))


def test_an_untouched_chain_verifies(database: Database, session: Session) -> None:
    _append_three(database)
    report = AuditLog(session).verify()
    assert report.ok
    assert report.checked == 3


def test_each_entry_links_to_the_previous_one(database: Database, session: Session) -> None:
    _append_three(database)
    first, second, third = sorted(AuditLog(session).entries(), key=lambda e: e.id)
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash


def test_the_database_refuses_to_edit_or_delete_entries(database: Database) -> None:
    _append_three(database)
    with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as c:
        c.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE id = 2"))
    with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as c:
        c.execute(text("DELETE FROM audit_log WHERE id = 3"))


def test_verify_finds_the_first_row_edited_directly_in_the_database(
    database: Database, session: Session
) -> None:
    _append_three(database)
    _disable_append_only_guard(database)
    with database.engine.begin() as c:
        c.execute(text("UPDATE audit_log SET data = :d WHERE id = 2"), {"d": '{"n":99}'})
    report = AuditLog(session).verify()
    assert not report.ok
    assert report.broken_id == 2
    assert report.checked == 1


def test_verify_notices_when_the_newest_entries_are_deleted(
    database: Database, session: Session
) -> None:
    _append_three(database)
    _disable_append_only_guard(database)
    with database.engine.begin() as c:
        c.execute(text("DELETE FROM audit_log WHERE id = 3"))
    report = AuditLog(session).verify()
    assert report.broken_id == 3
    assert "removed" in report.reason


def test_verify_notices_a_deleted_entry_in_the_middle(database: Database, session: Session) -> None:
    _append_three(database)
    _disable_append_only_guard(database)
    with database.engine.begin() as c:
        c.execute(text("DELETE FROM audit_log WHERE id = 2"))
    report = AuditLog(session).verify()
    assert report.broken_id == 3
    assert "missing" in report.reason
