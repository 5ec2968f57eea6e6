"""Marshmallow schemas of the API: they validate requests and document the OpenAPI spec.

Every schema refuses unknown fields (marshmallow's RAISE), at every nesting level, so a typo in
an integration fails loudly instead of being silently dropped.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

TIERS = ("free", "standard", "premium", "vip")
CHANNELS = ("email", "chat")
TICKET_STATUSES = ("open", "pending", "resolved")


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class CustomerSchema(StrictSchema):
    id = fields.String(validate=validate.Length(1, 100))
    name = fields.String(validate=validate.Length(max=200))
    email = fields.Email(validate=validate.Length(max=320))
    phone = fields.String(validate=validate.Length(max=50))
    tier = fields.String(validate=validate.OneOf(TIERS), load_default="standard")
    company = fields.String(validate=validate.Length(max=200))
    plan = fields.String(validate=validate.Length(max=50))
    mrr = fields.Float(validate=validate.Range(min=0))
    since = fields.Date()
    language = fields.String(validate=validate.Length(2, 16))
    attributes = fields.Dict(
        keys=fields.String(validate=validate.Length(1, 100)),
        values=fields.Raw(),
        validate=validate.Length(max=50),
        metadata={"description": "Free-form helpdesk attributes (at most 50)."},
    )


class HistoryItemSchema(StrictSchema):
    id = fields.String(required=True, validate=validate.Length(1, 100))
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    at = fields.AwareDateTime(default_timezone=None)
    subject = fields.String(validate=validate.Length(max=500))
    summary = fields.String(validate=validate.Length(max=5000))
    status = fields.String(validate=validate.OneOf(TICKET_STATUSES))


class TicketSchema(StrictSchema):
    id = fields.String(required=True, validate=validate.Length(1, 100))
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    status = fields.String(validate=validate.OneOf(TICKET_STATUSES), load_default="open")
    subject = fields.String(validate=validate.Length(max=500), load_default="")
    body = fields.String(required=True, validate=validate.Length(1, 50_000))
    created_at = fields.AwareDateTime()
    customer = fields.Nested(CustomerSchema)
    history = fields.List(fields.Nested(HistoryItemSchema), validate=validate.Length(max=100))


class TicketOutSchema(Schema):
    id = fields.String(attribute="external_id")
    channel = fields.String()
    status = fields.String()
    subject = fields.String()
    created_at = fields.DateTime()
    customer_id = fields.Method("_customer_id", allow_none=True)

    def _customer_id(self, ticket: object) -> str | None:
        customer = getattr(ticket, "customer", None)
        return getattr(customer, "external_id", None)


class HealthSchema(Schema):
    status = fields.String(metadata={"description": "ok, or degraded with reasons"})
    version = fields.String()
    checks = fields.Dict(keys=fields.String(), values=fields.String())


class CallerSchema(Schema):
    name = fields.String()
    role = fields.String()


class ProblemSchema(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
