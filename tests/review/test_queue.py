"""Reading the queue and the stale documents on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from kb.audit import AuditLog
from kb.database import Database
from kb.documents import Document
from kb.errors import InvalidInput, NotFound
from review.proposals import RefreshProposal
from review.queue import ProposalFilter, get_proposal, list_proposals, state_counts
from review.stale import stale_documents, verify

TODAY = date(2026, 11, 27)


def _add(session: Session, **fields: Any) -> RefreshProposal:
    proposal = RefreshProposal(
        kind=fields.pop("kind", "new"),
        doc_id=fields.pop("doc_id", f"doc-{fields.get('title', 'x')}"),
        created_by="test",
        **fields,
    )
    session.add(proposal)
    session.flush()
    return proposal


@pytest.fixture
def queue(database: Database) -> Database:
    with database.transaction() as s:
        _add(s, title="a", priority=2.0, evidence_count=2)
        _add(s, title="b", priority=9.0, evidence_count=7, assignee="kiran", state="in_review")
        _add(s, title="c", priority=5.0, evidence_count=3, kind="stale", doc_id="uk-p60-p45")
        _add(s, title="d", priority=1.0, evidence_count=9, state="rejected", reject_reason="No.")
    return database


def _titles(database: Database, **filters: Any) -> list[str]:
    with database.sessions() as session:
        return [p.title for p in list_proposals(session, ProposalFilter(**filters)).items]


def test_the_queue_sorts_by_priority_unless_asked_otherwise(queue: Database) -> None:
    assert _titles(queue) == ["b", "c", "a", "d"]
    assert _titles(queue, sort="evidence") == ["d", "b", "c", "a"]
    assert _titles(queue, sort="oldest") == ["a", "b", "c", "d"]


def test_the_queue_filters_by_state_kind_and_assignee(queue: Database) -> None:
    assert _titles(queue, state="in_review") == ["b"]
    assert _titles(queue, kind="stale") == ["c"]
    assert _titles(queue, assignee="kiran") == ["b"]
    assert _titles(queue, assignee="") == ["c", "a", "d"]


def test_pages_hold_what_was_asked_and_say_how_many_there_are(queue: Database) -> None:
    with queue.sessions() as session:
        first = list_proposals(session, ProposalFilter(per_page=3))
        last = list_proposals(session, ProposalFilter(per_page=3, page=2))
        counts = state_counts(session)
    assert (first.total, first.pages, first.has_next) == (4, 2, True)
    assert ([p.title for p in last.items], last.has_next) == (["d"], False)
    assert counts == {
        "proposed": 2, "in_review": 1, "approved": 0, "rejected": 1, "published": 0,
    }  # fmt: skip


def test_bad_filters_and_missing_proposals_are_refused(queue: Database) -> None:
    with queue.sessions() as session:
        with pytest.raises(InvalidInput) as bad:
            list_proposals(session, ProposalFilter(state="done", per_page=0))
        with pytest.raises(NotFound):
            get_proposal(session, 999_999)
    assert set(bad.value.errors) == {"state", "per_page"}


def _documents(database: Database) -> None:
    with database.transaction() as s:
        for doc_id, days in (("old", -40), ("due", 0), ("later", 9), ("undated", None)):
            review_by = TODAY + timedelta(days=days) if days is not None else None
            s.add(
                Document(
                    doc_id=doc_id,
                    title=doc_id,
                    source="public",
                    review_by=review_by,
                    live_version=1,
                )
            )


def test_stale_documents_come_most_overdue_first_with_their_reasons(database: Database) -> None:
    _documents(database)

    with database.sessions() as session:
        rows = stale_documents(session, today=TODAY)
        overdue = stale_documents(session, today=TODAY, overdue_only=True)

    assert [(r.document.doc_id, r.days_overdue, r.reasons) for r in rows] == [
        ("old", 40, ["review_overdue"]),
        ("due", 0, []),
        ("later", -9, []),
        ("undated", None, []),
    ]
    assert [r.document.doc_id for r in overdue] == ["old"]


def test_verifying_sets_the_next_review_date_and_is_audited(database: Database) -> None:
    _documents(database)

    with database.transaction() as session:
        verified = verify(session, "old", actor="kiran", today=TODAY, interval_days=90)
        assert verified.review_by == TODAY + timedelta(days=90)
        with pytest.raises(InvalidInput) as past:
            verify(session, "due", actor="kiran", review_by=TODAY - timedelta(days=1), today=TODAY)
        with pytest.raises(NotFound):
            verify(session, "nope", actor="kiran", today=TODAY)
    assert "review_by" in past.value.errors
    with database.sessions() as session:
        [entry] = AuditLog(session).entries(action="document.verify")
    assert (entry.subject, entry.actor) == ("document:old", "kiran")
    assert json.loads(entry.data)["review_by"] == "2027-02-25"
