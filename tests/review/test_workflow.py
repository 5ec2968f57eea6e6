"""The review workflow on a real database (SQLite and PostgreSQL): states, optimistic locking,
the audit trail."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from kb.audit import AuditLog
from kb.database import Database
from kb.errors import InvalidInput, TandemError
from kb.redaction import Redactor
from kb.users import Role, UserService
from review.interfaces import InvalidTransition, StaleProposal
from review.proposals import NEW, RefreshProposal
from review.workflow import Request, Workflow


@pytest.fixture
def workflow(database: Database, redactor: Redactor) -> Workflow:
    with database.transaction() as session:
        users = UserService(session)
        users.create("kiran", "kiran-demo-pass", Role.KNOWLEDGE_MANAGER, actor="test")
        users.create("alice", "alice-demo-pass", Role.AGENT, actor="test")
    return Workflow(database, redactor)


def _proposal(database: Database, **fields: Any) -> int:
    with database.transaction() as session:
        proposal = RefreshProposal(
            kind=NEW,
            title="Print a QR code on PDF invoices",
            doc_id="qr-code-on-pdf-invoices",
            body="# Print a QR code on PDF invoices\n\nTurn it on in Settings.\n",
            created_by="test",
            **fields,
        )
        session.add(proposal)
        session.flush()
        return proposal.id


def _read(database: Database, proposal_id: int) -> RefreshProposal:
    with database.sessions() as session:
        found = session.get(RefreshProposal, proposal_id)
        assert found is not None
        return found


def _act(workflow: Workflow, proposal_id: int, action: str, version: int, **extra: Any) -> Any:
    return workflow.apply(
        Request(proposal_id, action, expected_version=version, actor="kiran", **extra)
    )


def test_starting_a_review_takes_the_proposal_and_bumps_its_version(
    database: Database, workflow: Workflow
) -> None:
    proposal_id = _proposal(database)

    started = _act(workflow, proposal_id, "start_review", 1)

    assert (started.state, started.assignee, started.lock_version) == ("in_review", "kiran", 2)
    assert (started.updated_by, _read(database, proposal_id).lock_version) == ("kiran", 2)


def test_a_stale_version_is_refused_and_changes_nothing(
    database: Database, workflow: Workflow
) -> None:
    proposal_id = _proposal(database)
    _act(workflow, proposal_id, "start_review", 1)

    with pytest.raises(StaleProposal) as conflict:
        _act(workflow, proposal_id, "edit", 1, body="# Mine\n\nOverwritten.\n")

    assert conflict.value.current_version == 2
    after = _read(database, proposal_id)
    assert "Overwritten" not in after.body
    assert after.lock_version == 2


@pytest.mark.parametrize(
    ("state", "action", "extra"),
    [
        ("proposed", "approve", {}),
        ("rejected", "start_review", {}),
        ("published", "edit", {"body": "# New\n"}),
        ("in_review", "publish", {}),
    ],
)
def test_an_action_the_state_does_not_allow_is_refused(
    database: Database, workflow: Workflow, state: str, action: str, extra: dict[str, Any]
) -> None:
    proposal_id = _proposal(database, state=state)

    with pytest.raises(InvalidTransition) as refused:
        _act(workflow, proposal_id, action, 1, **extra)

    assert "action" in refused.value.errors
    assert _read(database, proposal_id).lock_version == 1


@pytest.mark.parametrize(
    ("action", "extra", "field"),
    [
        ("reject", {}, "reason"),
        ("reject", {"reason": "   "}, "reason"),
        ("assign", {"assignee": "alice"}, "assignee"),
        ("assign", {"assignee": "nobody"}, "assignee"),
        ("edit", {}, "body"),
        ("edit", {"title": ""}, "title"),
        ("fly", {}, "action"),
    ],
)
def test_incomplete_or_wrong_input_is_refused_by_field(
    database: Database, workflow: Workflow, action: str, extra: dict[str, Any], field: str
) -> None:
    proposal_id = _proposal(database)

    with pytest.raises(InvalidInput) as refused:
        _act(workflow, proposal_id, action, 1, **extra)

    assert field in refused.value.errors
    assert _read(database, proposal_id).state == "proposed"


def test_an_edit_is_redacted_before_it_is_stored(database: Database, workflow: Workflow) -> None:
    proposal_id = _proposal(database)

    edited = _act(
        workflow,
        proposal_id,
        "edit",
        1,
        body="# QR codes\n\nDana Whitfield (dana@whitfield.example) asked for this.\n",
    )

    assert edited.state == "in_review"
    assert "Dana" not in edited.body
    assert "whitfield.example" not in edited.body
    assert "<EMAIL_ADDRESS_1>" in edited.body


def test_every_transition_is_in_the_audit_log(database: Database, workflow: Workflow) -> None:
    proposal_id = _proposal(database)
    _act(workflow, proposal_id, "start_review", 1)
    _act(workflow, proposal_id, "edit", 2, title="Scan to pay QR codes")
    _act(workflow, proposal_id, "reject", 3, reason="Product is withdrawing the feature.")

    with database.sessions() as session:
        entries = AuditLog(session).entries(subject=f"proposal:{proposal_id}")
        assert AuditLog(session).verify().ok
    assert [(e.action, e.details["to"]) for e in reversed(entries)] == [
        ("proposal.start_review", "in_review"),
        ("proposal.edit", "in_review"),
        ("proposal.reject", "rejected"),
    ]
    assert entries[0].details["reason"] == "Product is withdrawing the feature."
    assert all(e.actor == "kiran" for e in entries)


def test_two_reviewers_approving_at_once_one_wins(database: Database, workflow: Workflow) -> None:
    proposal_id = _proposal(database, state="in_review", lock_version=4)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def approve(name: str) -> None:
        barrier.wait()
        try:
            workflow.apply(Request(proposal_id, "approve", expected_version=4, actor=name))
            outcomes.append("approved")
        except TandemError as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=approve, args=(n,)) for n in ("kiran", "ada")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["StaleProposal", "approved"]
    after = _read(database, proposal_id)
    assert (after.state, after.lock_version) == ("approved", 5)
    with database.sessions() as session:
        approvals = AuditLog(session).entries(action="proposal.approve")
    assert len(approvals) == 1
    assert approvals[0].actor == after.approved_by
