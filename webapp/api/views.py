"""API operations of the foundation: health, the caller, tickets, the OpenAPI document."""

from __future__ import annotations

import logging
from importlib.metadata import version

from flask import g, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from kb.audit import AuditLog
from kb.errors import NotFound
from kb.tickets import TicketStore
from kb.users import Role
from webapp.access import public, roles, signed_in
from webapp.api.blueprint import bp
from webapp.api.body import load_body
from webapp.api.openapi import build_spec
from webapp.api.schemas import CallerSchema, HealthSchema, TicketOutSchema, TicketSchema
from webapp.context import db
from webapp.security import current_actor

log = logging.getLogger(__name__)


@bp.operation(
    "/health",
    "GET",
    summary="Liveness and database check",
    tags=("meta",),
    responses={200: HealthSchema, 503: HealthSchema},
    public=True,
)
@public
def health() -> ResponseReturnValue:
    checks = {"database": "ok"}
    try:
        db().execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        # Report, don't raise: a load balancer needs a clear 503, not a stack trace.
        log.warning("health check: database unavailable: %s", exc)
        checks["database"] = "unavailable"
    ok = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if ok else "degraded", "version": version("tandem"), "checks": checks}
    return jsonify(HealthSchema().dump(body)), 200 if ok else 503


@bp.operation(
    "/openapi.json", "GET", summary="This API's OpenAPI 3 document", tags=("meta",), public=True
)
@public
def openapi() -> ResponseReturnValue:
    return jsonify(build_spec(bp.operations))


@bp.operation(
    "/me", "GET", summary="The calling token", tags=("meta",), responses={200: CallerSchema}
)
@signed_in
def me() -> ResponseReturnValue:
    return jsonify(CallerSchema().dump({"name": g.api_token.name, "role": g.api_token.role}))


@bp.operation(
    "/tickets",
    "POST",
    summary="Create or update a ticket and its customer",
    tags=("tickets",),
    request=TicketSchema,
    responses={200: TicketOutSchema, 201: TicketOutSchema},
)
@roles(Role.AGENT, Role.ADMIN)
def put_ticket() -> ResponseReturnValue:
    ticket = load_body(TicketSchema())
    row, created = TicketStore(db()).upsert(ticket)
    AuditLog(db()).append(
        actor=current_actor(),
        action="ticket.create" if created else "ticket.update",
        subject=f"ticket:{row.external_id}",
        data={"channel": row.channel, "status": row.status},
    )
    db().commit()
    return jsonify(TicketOutSchema().dump(row)), 201 if created else 200


@bp.operation(
    "/tickets/<ticket_id>",
    "GET",
    summary="One ticket",
    tags=("tickets",),
    responses={200: TicketOutSchema},
)
@roles(Role.AGENT, Role.ADMIN)
def get_ticket(ticket_id: str) -> ResponseReturnValue:
    row = TicketStore(db()).get(ticket_id)
    if row is None:
        raise NotFound(f"No ticket {ticket_id}.")
    return jsonify(TicketOutSchema().dump(row))
