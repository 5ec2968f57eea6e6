"""Errors in one format: ``application/problem+json`` (RFC 9457) for the API, pages for people."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from kb.errors import (
    Conflict,
    IndexUnavailable,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RedactorUnavailable,
    TandemError,
)

log = logging.getLogger(__name__)

PROBLEM_TYPE = "https://tandem.invalid/problems/"
_STATUS_OF: dict[type[TandemError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    PermissionDenied: 403,
    # Decided on purpose: a missing model or a locked/unreachable index is the service being
    # unavailable (503, with the reason), not a bug (500).
    IndexUnavailable: 503,
    RedactorUnavailable: 503,
}


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    errors: Mapping[str, Sequence[str]] | None = None,
    kind: str | None = None,
) -> Response:
    """A problem+json response; ``errors`` maps dotted field paths to messages."""
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + (kind or phrase.lower().replace(" ", "-").replace("'", "")),
        "title": title or phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = {field: list(messages) for field, messages in errors.items()}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def wants_problem() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(TandemError, _tandem_error)
    app.register_error_handler(Exception, _unexpected_error)


def _page(status: int, message: str) -> tuple[str, int]:
    phrase = HTTPStatus(status).phrase
    return render_template(
        "errors/error.html", status=status, title=phrase, message=message
    ), status


_MESSAGES = {
    400: "The request could not be understood.",
    401: "Please sign in.",
    403: "Your role does not give you access to this page.",
    404: "There is nothing at this address.",
    405: "This address does not accept that kind of request.",
    413: "That was more data than Tandem accepts in one request.",
    415: "Send the request body as JSON (Content-Type: application/json).",
    429: "Too many attempts. Wait a little and try again.",
    500: "Something went wrong on our side. The error was logged.",
}


def _http_error(exc: HTTPException) -> Response | tuple[str, int]:
    status = exc.code or 500
    detail = exc.description if exc.description and status not in (404, 500) else ""
    detail = detail or _MESSAGES.get(status, HTTPStatus(status).phrase)
    if wants_problem():
        response = problem(status, detail)
    else:
        page, _ = _page(status, _MESSAGES.get(status, detail))
        response = Response(page, status=status, mimetype="text/html")
    for name in ("Retry-After", "Allow", "WWW-Authenticate"):
        value = exc.get_response().headers.get(name)
        if value:
            response.headers[name] = value
    return response


def _csrf_error(exc: CSRFError) -> Response | tuple[str, int]:
    message = "The form was not sent from this site or has expired. Reload the page and try again."
    if wants_problem():
        return problem(400, message, kind="csrf")
    return _page(400, message)


def _tandem_error(exc: TandemError) -> Response | tuple[str, int]:
    status = getattr(exc, "http_status", None) or next(
        (code for cls, code in _STATUS_OF.items() if isinstance(exc, cls)), 400
    )
    errors = exc.errors if isinstance(exc, InvalidInput) else None
    if wants_problem():
        return problem(status, str(exc), errors=errors)
    return _page(status, str(exc))


def _unexpected_error(exc: Exception) -> Response | tuple[str, int]:
    log.exception("unhandled error on %s %s", request.method, request.path)
    if wants_problem():
        return problem(500, _MESSAGES[500])
    return _page(500, _MESSAGES[500])
