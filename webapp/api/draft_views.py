"""Drafts over the API: Detect → Draft, the agent's one-call decision, resolved tickets."""

from __future__ import annotations

import json
import logging

from flask import Response, jsonify
from flask.typing import ResponseReturnValue

from kb.errors import IndexUnavailable, NotFound, RedactorUnavailable
from kb.users import Role
from retrieval.decisions import DecisionInput
from retrieval.drafts import DraftStore
from webapp.access import roles
from webapp.api.blueprint import bp
from webapp.api.body import load_body
from webapp.api.idempotency import idempotent
from webapp.api.schemas import (
    DecisionSchema,
    DraftOutSchema,
    DraftRequestSchema,
    ResolutionOutSchema,
    ResolvedSchema,
)
from webapp.context import db, tandem
from webapp.security import current_actor

AGENTS = (Role.AGENT, Role.ADMIN)
log = logging.getLogger(__name__)


def _json(document: dict[str, object], status: int) -> Response:
    return Response(json.dumps(document, default=str), status=status, mimetype="application/json")


@bp.operation(
    "/drafts",
    "POST",
    summary="Draft a cited reply for a ticket",
    tags=("drafts",),
    request=DraftRequestSchema,
    responses={201: DraftOutSchema},
)
@roles(*AGENTS)
@idempotent
def create_draft() -> ResponseReturnValue:
    body = load_body(DraftRequestSchema())
    db().commit()  # release the request's transaction before the slow part
    draft = (
        tandem()
        .drafts()
        .draft_reply(
            body["ticket"],
            actor=current_actor(),
            filters=body.get("filters"),
            agent_name=(body.get("agent") or {}).get("name", ""),
        )
    )
    # The stored body is the response document, already encoded: not decoded to encode again.
    return Response(draft.body, status=201, mimetype="application/json")


@bp.operation(
    "/drafts/<draft_id>",
    "GET",
    summary="One draft, with its decision if made",
    tags=("drafts",),
    responses={200: DraftOutSchema},
)
@roles(*AGENTS)
def get_draft(draft_id: str) -> ResponseReturnValue:
    draft = DraftStore(db()).get(draft_id)
    if draft is None:
        raise NotFound(f"No draft {draft_id}.")
    return _json(draft.document, 200)


@bp.operation(
    "/drafts/<draft_id>/decision",
    "POST",
    summary="Accept, edit or escalate a draft",
    tags=("drafts",),
    request=DecisionSchema,
    responses={200: DraftOutSchema},
)
@roles(*AGENTS)
@idempotent
def decide_draft(draft_id: str) -> ResponseReturnValue:
    body = load_body(DecisionSchema())
    db().commit()
    draft = (
        tandem()
        .decisions()
        .decide(
            draft_id,
            DecisionInput(body["action"], body.get("final_text"), body.get("note")),
            actor=current_actor(),
        )
    )
    return _json(draft.document, 200)


@bp.operation(
    "/tickets/<ticket_id>/resolved",
    "POST",
    summary="Report a ticket resolved",
    tags=("tickets",),
    request=ResolvedSchema,
    responses={201: ResolutionOutSchema},
)
@roles(*AGENTS)
@idempotent
def ticket_resolved(ticket_id: str) -> ResponseReturnValue:
    body = load_body(ResolvedSchema())
    db().commit()
    resolution = tandem().decisions().record_resolution(ticket_id, body, actor=current_actor())
    try:
        tandem().refresh().scan_ticket(ticket_id, actor=current_actor())
    except (IndexUnavailable, RedactorUnavailable) as exc:
        # The resolution is recorded; `tandem refresh scan` picks the ticket up later.
        log.warning("refresh scan of ticket %s deferred: %s", ticket_id, exc)
    return jsonify(ResolutionOutSchema().dump(resolution)), 201
