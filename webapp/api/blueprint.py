"""The API blueprint, which records each operation so the OpenAPI document is built from code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint, request
from flask.typing import ResponseReturnValue
from marshmallow import Schema

from webapp.context import tandem
from webapp.problems import problem

F = TypeVar("F", bound=Callable[..., Any])
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@dataclass(frozen=True)
class Operation:
    """One documented API operation."""

    rule: str
    method: str
    endpoint: str
    summary: str
    tags: tuple[str, ...]
    request: type[Schema] | None = None
    responses: dict[int, type[Schema] | None] = field(default_factory=dict)
    public: bool = False


class ApiBlueprint(Blueprint):
    """A blueprint whose routes carry their schemas, for validation and for the OpenAPI spec."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.operations: list[Operation] = []

    def operation(
        self,
        rule: str,
        method: str,
        *,
        summary: str,
        tags: tuple[str, ...],
        request: type[Schema] | None = None,
        responses: dict[int, type[Schema] | None] | None = None,
        public: bool = False,
    ) -> Callable[[F], F]:
        def register(view: F) -> F:
            self.operations.append(
                Operation(
                    rule, method, view.__name__, summary, tags, request, responses or {}, public
                )
            )
            self.add_url_rule(rule, view.__name__, view, methods=[method])
            return view

        return register


bp = ApiBlueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def check_body() -> ResponseReturnValue | None:
    """Refuse oversized and non-JSON bodies before any view reads them."""
    limit = tandem().settings.max_request_bytes
    if request.content_length is not None and request.content_length > limit:
        return problem(413, f"The request body is larger than {limit} bytes.")
    if request.method in BODY_METHODS and request.mimetype != "application/json":
        return problem(415, "Send the request body as JSON (Content-Type: application/json).")
    return None
