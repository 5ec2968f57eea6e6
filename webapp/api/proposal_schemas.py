"""Schemas of the knowledge-refresh API: queue filters, a transition, proposals out."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from review.proposals import KINDS, STATES
from review.queue import MAX_PER_PAGE, SORTS
from review.workflow import ACTIONS, MAX_BODY, MAX_TITLE
from webapp.api.schemas import StrictSchema


class ProposalQuerySchema(StrictSchema):
    """Query string of ``GET /proposals``."""

    state = fields.String(validate=validate.OneOf(STATES))
    kind = fields.String(validate=validate.OneOf(KINDS))
    assignee = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "A username; empty for unassigned proposals."},
    )
    sort = fields.String(validate=validate.OneOf(tuple(SORTS)), load_default="priority")
    page = fields.Integer(validate=validate.Range(min=1), load_default=1)
    per_page = fields.Integer(validate=validate.Range(1, MAX_PER_PAGE), load_default=25)


class TransitionSchema(StrictSchema):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    expected_version = fields.Integer(
        required=True,
        validate=validate.Range(min=1),
        metadata={"description": "The lock_version you read; a stale one gets 409."},
    )
    reason = fields.String(
        validate=validate.Length(max=2000), metadata={"description": "Required to reject."}
    )
    title = fields.String(validate=validate.Length(max=MAX_TITLE))
    body = fields.String(
        validate=validate.Length(max=MAX_BODY), metadata={"description": "Markdown (edit)."}
    )
    assignee = fields.String(
        validate=validate.Length(max=200), metadata={"description": "A username (assign)."}
    )


class EvidenceSchema(Schema):
    ticket_id = fields.String(attribute="ticket_ref")
    subject = fields.String(metadata={"description": "Redacted."})
    excerpt = fields.String(metadata={"description": "Redacted excerpt of the final reply."})
    signals = fields.List(fields.String(), attribute="signal_list")
    tier = fields.String()
    resolved_at = fields.DateTime()
    draft_id = fields.String(allow_none=True)
    cited_doc_ids = fields.List(fields.String(), attribute="cited")
    edit_ratio = fields.Float(allow_none=True)


class DiffRowSchema(Schema):
    kind = fields.String(metadata={"description": "equal, replace, delete or insert"})
    left_number = fields.Integer(allow_none=True)
    left = fields.String()
    right_number = fields.Integer(allow_none=True)
    right = fields.String()


class ProposalSummarySchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    state = fields.String()
    title = fields.String()
    doc_id = fields.String()
    base_version = fields.Integer(allow_none=True)
    priority = fields.Float()
    priority_label = fields.String()
    evidence_count = fields.Integer()
    signals = fields.Dict(keys=fields.String(), values=fields.Integer(), attribute="signal_counts")
    assignee = fields.String()
    lock_version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    published_version = fields.Integer(allow_none=True)


class ProposalSchema(ProposalSummarySchema):
    body = fields.String(metadata={"description": "Proposed Markdown, redacted."})
    source = fields.String()
    audience = fields.String()
    product = fields.String()
    rationale = fields.String()
    reject_reason = fields.String()
    created_by = fields.String()
    updated_by = fields.String()
    approved_by = fields.String()
    approved_at = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    publish_error = fields.String()
    evidence = fields.List(fields.Nested(EvidenceSchema))
    diff = fields.List(
        fields.Nested(DiffRowSchema),
        metadata={"description": "The live article (left) against the proposal (right)."},
    )


class ProposalListSchema(Schema):
    items = fields.List(fields.Nested(ProposalSummarySchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()
    next = fields.String(allow_none=True, metadata={"description": "URL of the next page."})


class ScanRequestSchema(StrictSchema):
    """An empty object: a scan takes no options (unknown fields are refused)."""


class ScanCreatedSchema(Schema):
    new = fields.Integer()
    amendment = fields.Integer()
    stale = fields.Integer()


class ScanReportSchema(Schema):
    """What one scan did (the same as ``tandem refresh scan --json``)."""

    scanned = fields.Integer(metadata={"description": "Resolved tickets scanned now."})
    gaps = fields.Integer(metadata={"description": "Of those, tickets with gap signals."})
    joined = fields.Integer(metadata={"description": "Tickets added to open proposals."})
    groups_checked = fields.Integer()
    covered = fields.Integer(metadata={"description": "Groups an article already covers."})
    created = fields.Nested(ScanCreatedSchema)
    proposal_ids = fields.List(fields.Integer())
    seconds = fields.Float()
    summary = fields.String()
