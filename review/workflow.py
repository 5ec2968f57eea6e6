"""The review workflow: who may move a proposal from which state to which, and how two
reviewers are kept from overwriting each other.

Every change is one conditional UPDATE, ``WHERE id = ? AND lock_version = ?``, that also bumps
``lock_version``: of two reviewers who read version 3 and both approve, the database lets one
UPDATE match; the other matches no row and gets ``StaleProposal`` (409), so the proposal is
approved — and published — once. Every change is appended to the audit log in the same
transaction. Roles are checked by the web layer; the service refuses a role that may not review
when the caller names one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, update

from kb.audit import AuditLog
from kb.database import Database, utcnow
from kb.errors import InvalidInput, NotFound, PermissionDenied
from kb.users import Role, UserService
from review.diffs import unified
from review.interfaces import InvalidTransition, StaleProposal, TextRedactor, redact
from review.proposals import (
    APPROVED,
    IN_REVIEW,
    PROPOSED,
    REJECTED,
    RefreshProposal,
)

REVIEWER_ROLES = (Role.KNOWLEDGE_MANAGER.value, Role.ADMIN.value)
START_REVIEW, ASSIGN, EDIT, APPROVE, REJECT, PUBLISH = (
    "start_review",
    "assign",
    "edit",
    "approve",
    "reject",
    "publish",
)
# action → the states it applies to
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    START_REVIEW: (PROPOSED,),
    ASSIGN: (PROPOSED, IN_REVIEW),
    EDIT: (PROPOSED, IN_REVIEW),
    APPROVE: (IN_REVIEW,),
    REJECT: (PROPOSED, IN_REVIEW),
    PUBLISH: (APPROVED,),
}
ACTIONS = tuple(ALLOWED_FROM)
MAX_BODY = 100_000
MAX_TITLE = 500


@dataclass(frozen=True)
class Request:
    """One action as asked for, inputs normalised."""

    proposal_id: int
    action: str
    expected_version: int
    actor: str
    reason: str = ""
    title: str | None = None
    body: str | None = None
    assignee: str | None = None


def check_role(actor_role: str | None) -> None:
    if actor_role is not None and actor_role not in REVIEWER_ROLES:
        raise PermissionDenied("Only knowledge managers and admins review proposals.")


def check_request(request: Request) -> None:
    """Refuse what is wrong whatever the proposal's state (422), before reading it."""
    if request.action not in ALLOWED_FROM:
        raise InvalidInput(
            f"Unknown action {request.action!r}.",
            {"action": [f"Use one of: {', '.join(ACTIONS)}."]},
        )
    if request.action == REJECT and not request.reason.strip():
        raise InvalidInput("A rejection needs a reason.", {"reason": ["Say why it is rejected."]})
    if request.action == ASSIGN and not (request.assignee or "").strip():
        raise InvalidInput("Say whom to assign it to.", {"assignee": ["Required."]})
    if request.action == EDIT:
        errors: dict[str, list[str]] = {}
        if request.title is None and request.body is None:
            errors["body"] = ["Send the new body, the new title, or both."]
        if request.title is not None and not 1 <= len(request.title.strip()) <= MAX_TITLE:
            errors["title"] = [f"Give a title of 1 to {MAX_TITLE} characters."]
        if request.body is not None and not 1 <= len(request.body.strip()) <= MAX_BODY:
            errors["body"] = [f"Give a body of 1 to {MAX_BODY} characters."]
        if errors:
            raise InvalidInput("The edit is invalid.", errors)


class Workflow:
    """Applies review actions (all but publishing, see ``review.publishing``)."""

    def __init__(self, database: Database, redactor: TextRedactor) -> None:
        self.database = database
        self.redactor = redactor

    def apply(self, request: Request) -> RefreshProposal:
        """Apply ``request``; raises NotFound, StaleProposal, InvalidTransition, InvalidInput."""
        check_request(request)
        title = body = None
        if request.action == EDIT:
            # Redacted before the write transaction: NER is the slow part.
            title = redact(self.redactor, request.title.strip()) if request.title else None
            body = redact(self.redactor, request.body) if request.body is not None else None
        reason = redact(self.redactor, request.reason.strip()) if request.reason else ""
        with self.database.transaction() as session:
            proposal = session.get(RefreshProposal, request.proposal_id)
            if proposal is None:
                raise NotFound(f"No proposal {request.proposal_id}.")
            if proposal.lock_version != request.expected_version:
                raise StaleProposal(proposal.id, request.expected_version, proposal.lock_version)
            if proposal.state not in ALLOWED_FROM[request.action]:
                raise InvalidTransition(_not_now(request.action, proposal.state))
            values, details = self._changes(session, proposal, request, title, body, reason)
            before = proposal.state
            now = utcnow()
            matched = cast(
                CursorResult[Any],
                session.execute(
                    update(RefreshProposal)
                    .where(
                        RefreshProposal.id == proposal.id,
                        RefreshProposal.lock_version == request.expected_version,
                    )
                    .values(
                        **values,
                        lock_version=RefreshProposal.lock_version + 1,
                        updated_at=now,
                        updated_by=request.actor,
                    )
                    .execution_options(synchronize_session=False)
                ),
            ).rowcount
            if matched != 1:
                session.expire(proposal)
                raise StaleProposal(proposal.id, request.expected_version, proposal.lock_version)
            session.expire(proposal)
            AuditLog(session).append(
                actor=request.actor,
                action=f"proposal.{request.action}",
                subject=f"proposal:{proposal.id}",
                data={
                    "from": before,
                    "to": proposal.state,
                    "lock_version": proposal.lock_version,
                    **details,
                },
            )
            return proposal

    def _changes(
        self,
        session: Any,
        proposal: RefreshProposal,
        request: Request,
        title: str | None,
        body: str | None,
        reason: str,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The column values an action sets, and what the audit entry says about it."""
        action = request.action
        if action == START_REVIEW:
            # The reviewer who starts takes it, unless it is assigned (or the caller is a token).
            me = UserService(session).find(request.actor)
            mine = me.username if me is not None and me.role in REVIEWER_ROLES else ""
            return {"state": IN_REVIEW, "assignee": proposal.assignee or mine}, {}
        if action == ASSIGN:
            assignee = (request.assignee or "").strip()
            user = UserService(session).find(assignee)
            if user is None or not user.is_active or user.role not in REVIEWER_ROLES:
                raise InvalidInput(
                    f"{assignee} cannot review proposals.",
                    {"assignee": ["Choose an active knowledge manager or admin."]},
                )
            return {"assignee": user.username}, {"assignee": user.username}
        if action == EDIT:
            values: dict[str, Any] = {"state": IN_REVIEW}
            details: dict[str, Any] = {}
            if title is not None:
                values["title"] = title
                details["title"] = title
            if body is not None:
                values["body"] = body
                details["diff"] = unified(proposal.body, body, name=proposal.doc_id)
            return values, details
        if action == APPROVE:
            return {"state": APPROVED, "approved_at": utcnow(), "approved_by": request.actor}, {}
        if action == REJECT:
            return {"state": REJECTED, "reject_reason": reason}, {"reason": reason}
        raise InvalidTransition(_not_now(action, proposal.state))  # publish: review.publishing


def _not_now(action: str, state: str) -> str:
    allowed = " or ".join(ALLOWED_FROM.get(action, ()))
    return f"Cannot {action.replace('_', ' ')} a proposal that is {state} (only when {allowed})."
