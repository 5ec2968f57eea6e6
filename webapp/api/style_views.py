"""API operations of the style card: read the current card, check a reply, save and publish
versions, and record a suppressed finding.

Who may call what: reading the card needs any token; checking a reply is for agents (and the
brand owners and admins who preview); saving and publishing cards is for brand owners and
admins only; suppressing a finding is an agent's decision about one reply (admins too).
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from kb.errors import Conflict, NotFound
from kb.users import Role
from styleguide.checker import check
from styleguide.findings import FINDING_KINDS, CheckContext
from styleguide.fixes import Suppression, suppress
from styleguide.versions import StyleCardService, StyleCardVersion
from webapp.access import roles, signed_in
from webapp.api.blueprint import bp
from webapp.api.body import load_body
from webapp.api.schemas import CHANNELS, TIERS, StrictSchema
from webapp.context import db, tandem
from webapp.security import current_actor


class StyleCardSchema(Schema):
    version = fields.Integer(attribute="number")
    status = fields.String()
    effective_week = fields.String()
    author = fields.String()
    note = fields.String()
    created_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)
    yaml = fields.String(attribute="content", metadata={"description": "The card as written."})
    card = fields.Dict(
        attribute="resolved_card",
        metadata={"description": "The resolved card: rules (with extends applied), overrides."},
    )


class StyleCheckSchema(StrictSchema):
    text = fields.String(required=True, validate=validate.Length(1, 50_000))
    channel = fields.String(validate=validate.OneOf(CHANNELS), load_default="email")
    tier = fields.String(validate=validate.OneOf(TIERS), load_default="standard")
    intent = fields.String(validate=validate.Length(1, 100), load_default=None)
    customer_name = fields.String(validate=validate.Length(1, 200), load_default=None)
    agent_name = fields.String(validate=validate.Length(1, 200), load_default=None)


class FixSchema(Schema):
    start = fields.Integer()
    end = fields.Integer()
    replacement = fields.String()
    safe = fields.Boolean(metadata={"description": "False: an agent should review it first."})


class FindingSchema(Schema):
    rule = fields.String()
    kind = fields.String(
        validate=validate.OneOf(FINDING_KINDS),
        metadata={
            "description": "violation: the reply breaks the rule here; skipped: the rule could "
            "not be checked on this reply (its pattern ran past style_regex_timeout_ms)."
        },
    )
    severity = fields.String(validate=validate.OneOf(("error", "warning", "suggestion")))
    start = fields.Integer()
    end = fields.Integer()
    message = fields.String()
    suggestion = fields.String(allow_none=True)
    fix = fields.Nested(FixSchema, allow_none=True)


class StyleCheckResultSchema(Schema):
    card_version = fields.Integer()
    findings = fields.List(fields.Nested(FindingSchema))


class NewVersionSchema(StrictSchema):
    yaml = fields.String(required=True, validate=validate.Length(1, 512_000))
    note = fields.String(validate=validate.Length(max=2000), load_default=None)


class PublishSchema(StrictSchema):
    expected_current = fields.Integer(
        required=True,
        validate=validate.Range(min=0),
        metadata={"description": "The version you last saw as current (0: none yet)."},
    )
    note = fields.String(validate=validate.Length(max=2000), load_default=None)


class SuppressionSchema(StrictSchema):
    reply = fields.String(
        required=True,
        validate=validate.Length(1, 200),
        metadata={"description": "The reply (draft or ticket reply id) the finding is on."},
    )
    rule = fields.String(required=True, validate=validate.Length(1, 64))
    start = fields.Integer(required=True, validate=validate.Range(min=0))
    end = fields.Integer(required=True, validate=validate.Range(min=0))
    reason = fields.String(
        required=True,
        validate=validate.Length(1, 1000),
        metadata={"description": "Why the finding does not apply; stored with PII redacted."},
    )
    card_version = fields.Integer(validate=validate.Range(min=1), load_default=None)


class SuppressionOutSchema(Schema):
    id = fields.Integer(metadata={"description": "The audit log entry."})
    action = fields.String()
    subject = fields.String()


def _version_json(version: StyleCardVersion) -> dict[str, Any]:
    loaded: dict[str, Any] = StyleCardSchema().dump(version)
    return loaded


@bp.operation(
    "/style-card",
    "GET",
    summary="The current style card and its version number",
    tags=("style",),
    responses={200: StyleCardSchema},
)
@signed_in
def get_style_card() -> ResponseReturnValue:
    current = StyleCardService(db()).current_version()
    if current is None:
        raise NotFound("No style card has been published yet.")
    return jsonify(_version_json(current))


@bp.operation(
    "/style-check",
    "POST",
    summary="Check a reply against the current style card",
    tags=("style",),
    request=StyleCheckSchema,
    responses={200: StyleCheckResultSchema},
)
@roles(Role.AGENT, Role.BRAND_OWNER, Role.ADMIN)
def style_check() -> ResponseReturnValue:
    body = load_body(StyleCheckSchema())
    number, card = StyleCardService(db()).current()
    context = CheckContext(**{k: v for k, v in body.items() if k != "text"})
    timeout = tandem().settings.style_regex_timeout_ms
    findings = [f.to_json() for f in check(card, body["text"], context, regex_timeout_ms=timeout)]
    return jsonify(StyleCheckResultSchema().dump({"card_version": number, "findings": findings}))


@bp.operation(
    "/style-card/versions",
    "POST",
    summary="Save a card (YAML) as a new draft version",
    tags=("style",),
    request=NewVersionSchema,
    responses={201: StyleCardSchema},
)
@roles(Role.BRAND_OWNER, Role.ADMIN)
def create_style_version() -> ResponseReturnValue:
    body = load_body(NewVersionSchema())
    version = StyleCardService(db()).create_draft(
        body["yaml"], actor=current_actor(), note=body["note"]
    )
    db().commit()
    return jsonify(_version_json(version)), 201


@bp.operation(
    "/style-card/versions/<int:version_id>/publish",
    "POST",
    summary="Publish a draft if the current version is still the one expected (else 409)",
    tags=("style",),
    request=PublishSchema,
    responses={200: StyleCardSchema, 409: None},
)
@roles(Role.BRAND_OWNER, Role.ADMIN)
def publish_style_version(version_id: int) -> ResponseReturnValue:
    body = load_body(PublishSchema())
    try:
        version = StyleCardService(db()).publish(
            version_id,
            expected_current=body["expected_current"],
            actor=current_actor(),
            note=body["note"],
        )
    except Conflict:
        db().commit()  # a refused publish is audited; keep that entry
        raise
    db().commit()
    return jsonify(_version_json(version))


@bp.operation(
    "/style-suppressions",
    "POST",
    summary="Suppress one finding on one reply, with a reason (audited)",
    tags=("style",),
    request=SuppressionSchema,
    responses={201: SuppressionOutSchema},
)
@roles(Role.AGENT, Role.ADMIN)
def suppress_finding() -> ResponseReturnValue:
    body = load_body(SuppressionSchema())
    card_version = body.pop("card_version")
    entry = suppress(
        db(),
        Suppression(**body),
        actor=current_actor(),
        card_version=card_version,
        # Loaded on first use, so a refused reason never waits for the NER model.
        redact=lambda text: tandem().redactor().redact(text).text,
    )
    db().commit()
    return jsonify(SuppressionOutSchema().dump(entry)), 201
