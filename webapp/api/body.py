"""Reading a JSON body through a marshmallow schema: one place, one error format."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import request
from marshmallow import Schema, ValidationError

from kb.errors import InvalidInput


class MalformedJson(InvalidInput):
    """The body is not JSON at all (400, where a well-formed but invalid body is 422)."""

    http_status = 400


def load_body(schema: Schema) -> dict[str, Any]:
    """The validated body; unknown fields anywhere, wrong types and bad JSON raise InvalidInput."""
    raw = request.get_data(cache=False)
    try:
        payload = json.loads(raw or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedJson("The body is not valid JSON.", {"body": [str(exc)]}) from exc
    if not isinstance(payload, dict):
        raise InvalidInput("The body must be a JSON object.", {"body": ["Expected an object."]})
    try:
        loaded: dict[str, Any] = schema.load(payload)
    except ValidationError as exc:
        raise InvalidInput("The request has invalid fields.", flatten(exc.messages)) from exc
    return loaded


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Marshmallow's nested messages as ``{"ticket.customer.tier": ["..."]}``."""
    if isinstance(messages, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten(value, path))
        return flat
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "body": list(messages)}
    return {prefix or "body": [str(messages)]}
