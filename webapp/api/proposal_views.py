"""The knowledge-refresh queue over the API, for integrations (a helpdesk app, say).

Knowledge managers and admins only: an agent's token gets 403 on every route here.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from kb.errors import InvalidInput
from kb.users import Role
from review import queue
from review.proposals import RefreshProposal
from webapp.access import roles
from webapp.api.blueprint import bp
from webapp.api.body import flatten, load_body
from webapp.api.idempotency import idempotent
from webapp.api.proposal_schemas import (
    DiffRowSchema,
    ProposalListSchema,
    ProposalQuerySchema,
    ProposalSchema,
    ScanReportSchema,
    ScanRequestSchema,
    TransitionSchema,
)
from webapp.context import db, tandem
from webapp.security import current_actor, current_role

REVIEWERS = (Role.KNOWLEDGE_MANAGER, Role.ADMIN)


def _query() -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = ProposalQuerySchema().load(request.args.to_dict())
    except ValidationError as exc:
        raise InvalidInput("The query parameters are invalid.", flatten(exc.messages)) from exc
    return loaded


def _detail(proposal: RefreshProposal) -> dict[str, Any]:
    document: dict[str, Any] = ProposalSchema().dump(proposal)
    document["diff"] = DiffRowSchema(many=True).dump(queue.proposal_diff(db(), proposal))
    return document


@bp.operation(
    "/proposals",
    "GET",
    summary="The knowledge-refresh queue (query: state, kind, assignee, sort, page, per_page)",
    tags=("proposals",),
    responses={200: ProposalListSchema},
)
@roles(*REVIEWERS)
def list_proposals() -> ResponseReturnValue:
    query = _query()
    page = queue.list_proposals(db(), queue.ProposalFilter(**query))
    following = (
        url_for("api.list_proposals", **{**query, "page": page.page + 1}) if page.has_next else None
    )
    return jsonify(
        ProposalListSchema().dump(
            {
                "items": page.items,
                "total": page.total,
                "page": page.page,
                "per_page": page.per_page,
                "pages": page.pages,
                "next": following,
            }
        )
    )


@bp.operation(
    "/proposals/<int:proposal_id>",
    "GET",
    summary="One proposal with its evidence, diff and lock_version",
    tags=("proposals",),
    responses={200: ProposalSchema},
)
@roles(*REVIEWERS)
def get_proposal(proposal_id: int) -> ResponseReturnValue:
    return jsonify(_detail(queue.get_proposal(db(), proposal_id)))


@bp.operation(
    "/proposals/<int:proposal_id>/transition",
    "POST",
    summary="Start review, assign, edit, approve (and publish), reject or publish again",
    tags=("proposals",),
    request=TransitionSchema,
    responses={200: ProposalSchema, 409: None},
)
@roles(*REVIEWERS)
@idempotent
def transition_proposal(proposal_id: int) -> ResponseReturnValue:
    body = load_body(TransitionSchema())
    db().commit()  # release the request's transaction: approving re-indexes a document
    role = current_role()
    tandem().refresh().transition(
        proposal_id,
        body["action"],
        expected_version=body["expected_version"],
        actor=current_actor(),
        actor_role=role.value if role is not None else None,
        reason=body.get("reason"),
        title=body.get("title"),
        body=body.get("body"),
        assignee=body.get("assignee"),
    )
    return jsonify(_detail(queue.get_proposal(db(), proposal_id)))


@bp.operation(
    "/refresh/scan",
    "POST",
    summary="Scan resolved tickets not scanned yet into proposals and flag stale documents",
    tags=("proposals",),
    request=ScanRequestSchema,
    responses={200: ScanReportSchema, 503: None},
)
@roles(*REVIEWERS)
@idempotent
def scan_resolved() -> ResponseReturnValue:
    load_body(ScanRequestSchema())
    db().commit()  # release the request's transaction: the scan writes in its own
    report = tandem().refresh().scan(actor=current_actor())
    return jsonify(ScanReportSchema().dump({**report.to_json(), "summary": report.summary()}))
