"""``POST /api/v1/search``: ranked knowledge chunks for a query (evaluation, the agent UI)."""

from __future__ import annotations

import time

from flask import jsonify
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from retrieval.search import FILTER_FIELDS, MAX_K
from webapp.access import signed_in
from webapp.api.blueprint import bp
from webapp.api.body import load_body
from webapp.api.schemas import StrictSchema
from webapp.context import tandem


class SearchSchema(StrictSchema):
    query = fields.String(
        required=True,
        validate=[validate.Length(1, 2000), validate.Regexp(r"\S", error="Give words to search.")],
        metadata={"description": "The question or ticket text; it is redacted before use."},
    )
    k = fields.Integer(validate=validate.Range(1, MAX_K), load_default=10)
    filters = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String(validate=validate.Length(1, 200))),
        load_default=dict,
        metadata={
            "description": "Allowed values per payload field, one of: " + ", ".join(FILTER_FIELDS),
            "example": {"visibility": ["public"], "language": ["en"]},
        },
    )


class SearchResultSchema(Schema):
    doc_id = fields.String()
    title = fields.String()
    url = fields.String()
    path = fields.String()
    chunk_id = fields.String()
    heading = fields.String()
    text = fields.String()
    score = fields.Float(metadata={"description": "The document's score; it orders the list."})
    chunk_score = fields.Float(metadata={"description": "How well this chunk itself matched."})
    visibility = fields.String(metadata={"description": "public, or internal (agents only)"})


class SearchResponseSchema(Schema):
    results = fields.List(fields.Nested(SearchResultSchema))
    took_ms = fields.Float()


@bp.operation(
    "/search",
    "POST",
    summary="Ranked knowledge chunks for a query, best documents first",
    tags=("knowledge",),
    request=SearchSchema,
    responses={200: SearchResponseSchema, 503: None},
)
@signed_in
def search() -> ResponseReturnValue:
    body = load_body(SearchSchema())
    started = time.perf_counter()
    hits = tandem().search().search(body["query"], k=body["k"], filters=body["filters"])
    took_ms = round((time.perf_counter() - started) * 1000, 1)
    results = [hit.as_result() for hit in hits]
    return jsonify(SearchResponseSchema().dump({"results": results, "took_ms": took_ms}))
