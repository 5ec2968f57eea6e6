"""``Idempotency-Key`` on POSTs: a retry with the same key and body replays the first answer; the
same key with a different body is refused (422) and nothing is written."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Response, make_response, request
from sqlalchemy.exc import IntegrityError

from kb.idempotency import IdempotencyStore
from webapp.context import db
from webapp.problems import problem
from webapp.security import current_actor

F = TypeVar("F", bound=Callable[..., Any])
HEADER = "Idempotency-Key"


def idempotent(view: F) -> F:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not 1 <= len(key) <= 255 or not key.isprintable():
            return problem(
                400,
                f"{HEADER} must be 1-255 printable characters.",
                errors={HEADER: ["Invalid key."]},
            )
        caller = current_actor()
        digest = hashlib.sha256(
            request.method.encode() + b" " + request.path.encode() + b"\n" + request.get_data()
        ).hexdigest()
        stored = IdempotencyStore(db()).find(caller, key)
        db().commit()
        if stored is not None:
            if stored.request_hash != digest:
                return problem(
                    422,
                    f"This {HEADER} was already used with a different request.",
                    errors={HEADER: ["Reused with a different body or path."]},
                )
            replay = Response(stored.response, status=stored.status, mimetype="application/json")
            replay.headers["Idempotent-Replayed"] = "true"
            return replay
        response = make_response(view(*args, **kwargs))
        if 200 <= response.status_code < 300:
            try:
                IdempotencyStore(db()).remember(
                    caller, key, digest, response.status_code, response.get_data(as_text=True)
                )
                db().commit()
            except IntegrityError:  # a concurrent retry stored it first; both answers match
                db().rollback()
        return response

    return cast(F, wrapper)
