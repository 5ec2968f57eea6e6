"""Marshmallow schemas of the API: they validate requests and document the OpenAPI spec.

Every schema refuses unknown fields (marshmallow's RAISE), at every nesting level, so a typo in
an integration fails loudly instead of being silently dropped.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from retrieval.search import FILTER_FIELDS

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


OUTCOMES = ("solved", "escalated", "refunded", "workaround", "no_response", "other")


class AgentSchema(StrictSchema):
    name = fields.String(validate=validate.Length(1, 100))


def _filters_field() -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=validate.OneOf(FILTER_FIELDS)),
        values=fields.List(
            fields.String(validate=validate.Length(1, 200)), validate=validate.Length(1, 50)
        ),
        metadata={"description": "Payload field → allowed values (all fields must match)."},
    )


class DraftRequestSchema(StrictSchema):
    ticket = fields.Nested(TicketSchema, required=True)
    filters = _filters_field()
    agent = fields.Nested(AgentSchema)


class DecisionSchema(StrictSchema):
    action = fields.String(required=True, validate=validate.OneOf(("accept", "edit", "escalate")))
    final_text = fields.String(validate=validate.Length(1, 20_000))
    note = fields.String(validate=validate.Length(max=2_000))


class ResolvedSchema(StrictSchema):
    final_reply = fields.String(required=True, validate=validate.Length(1, 20_000))
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    csat = fields.Integer(validate=validate.Range(1, 5), allow_none=True)
    reopened = fields.Boolean(load_default=False)


class CitationSchema(Schema):
    n = fields.Integer()
    doc_id = fields.String()
    title = fields.String()
    url = fields.String()
    path = fields.String()
    chunk_id = fields.String()
    passage = fields.String()
    start = fields.Integer()
    end = fields.Integer()
    visibility = fields.String()


class DraftBodySchema(Schema):
    text = fields.String()
    sections = fields.Dict()
    agent_notes = fields.List(fields.Dict())
    needs_human = fields.Boolean()


class EscalationSchema(Schema):
    required = fields.Boolean()
    reasons = fields.List(fields.Dict())


class DraftOutSchema(Schema):
    id = fields.String()
    status = fields.String()
    ticket = fields.Dict()
    draft = fields.Nested(DraftBodySchema)
    citations = fields.List(fields.Nested(CitationSchema))
    retrieved = fields.List(fields.Dict())
    detection = fields.Dict()
    escalation = fields.Nested(EscalationSchema)
    handoff = fields.Dict(data_key="context", metadata={"description": "The context package."})
    style = fields.Dict()
    confidence = fields.Float()
    mode = fields.String(metadata={"description": "extractive or llm: how the answer was written."})
    llm = fields.Dict(
        metadata={
            "description": "LLM mode only: model, prompt_sha256, and the model's sentences "
            "removed by verification (sentence, reason, detail)."
        }
    )
    fallback = fields.Dict(
        metadata={
            "description": 'LLM mode only, when the draft is extractive instead: {"from": "llm", '
            '"reason", "detail"}.'
        }
    )
    config = fields.Dict()
    timings_ms = fields.Dict()
    warnings = fields.List(fields.String())
    decision = fields.Dict()


class ResolutionOutSchema(Schema):
    ticket_id = fields.String(attribute="ticket_ref")
    outcome = fields.String()
    csat = fields.Integer(allow_none=True)
    reopened = fields.Boolean()
    draft_id = fields.String(allow_none=True)
    resolved_at = fields.DateTime()
