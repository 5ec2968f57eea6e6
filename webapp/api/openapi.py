"""The OpenAPI 3 document, generated from the recorded operations and their schemas."""

from __future__ import annotations

import re
from importlib.metadata import version
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from webapp.api.blueprint import Operation
from webapp.api.schemas import ProblemSchema

_CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")
_ERRORS = {
    400: "Malformed request",
    401: "Missing or invalid bearer token",
    403: "The token's role may not call this",
    413: "Body too large",
    415: "Body is not JSON",
    422: "Invalid fields (see errors)",
}


def build_spec(operations: list[Operation]) -> dict[str, Any]:
    spec = APISpec(
        title="Tandem API",
        version=version("tandem"),
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "Cited drafts, style checks and knowledge refresh for support teams."},
        servers=[{"url": "/api/v1"}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Problem", schema=ProblemSchema)
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        path = _CONVERTER.sub(r"{\1}", op.rule)
        paths.setdefault(path, {})[op.method.lower()] = _operation(op)
    for path, methods in sorted(paths.items()):
        spec.path(path=path, operations=methods)
    return spec.to_dict()


def _operation(op: Operation) -> dict[str, Any]:
    problem = {"application/problem+json": {"schema": "Problem"}}
    responses: dict[str | int, Any] = {}
    for status, schema in op.responses.items():
        content = {"application/json": {"schema": schema}} if schema else None
        responses[status] = {"description": "OK" if status < 300 else "Error"}
        if content:
            responses[status]["content"] = content
    if not responses:
        responses[200] = {"description": "OK"}
    errors = dict(_ERRORS) if op.request else {400: _ERRORS[400]}
    if not op.public:
        errors.update({401: _ERRORS[401], 403: _ERRORS[403]})
    for status, description in errors.items():
        responses.setdefault(status, {"description": description, "content": problem})
    result: dict[str, Any] = {
        "summary": op.summary,
        "operationId": op.endpoint,
        "tags": list(op.tags),
        "responses": responses,
    }
    if op.request is not None:
        result["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": op.request}},
        }
    result["security"] = [] if op.public else [{"bearer": []}]
    params = _CONVERTER.findall(op.rule)
    if params:
        result["parameters"] = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in params
        ]
    return result
