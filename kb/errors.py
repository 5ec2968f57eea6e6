"""Exceptions shared by every Tandem package.

TandemError
 ├── SettingsError        a setting has a bad value (start-up stops)
 ├── NotFound             the thing asked for does not exist
 ├── Conflict             someone else changed it first, or it already exists
 ├── PermissionDenied     the caller's role may not do this
 ├── InvalidInput         the input is wrong; ``errors`` maps field → messages
 ├── RedactorUnavailable  the PII redactor cannot load its model (ingestion fails closed)
 └── IndexUnavailable     the vector index is locked, unreachable or built with another model
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class TandemError(Exception):
    """Base class of every error Tandem raises on purpose."""


class SettingsError(TandemError):
    """A setting has a bad value; the message names the setting."""


class NotFound(TandemError):
    """The requested object does not exist."""


class Conflict(TandemError):
    """The request conflicts with the current state (already exists, changed meanwhile)."""


class PermissionDenied(TandemError):
    """The caller may not do this."""


class InvalidInput(TandemError):
    """The input is invalid; ``errors`` maps each field to its messages."""

    def __init__(self, message: str, errors: Mapping[str, Sequence[str]] | None = None) -> None:
        super().__init__(message)
        self.errors: dict[str, list[str]] = {k: list(v) for k, v in (errors or {}).items()}


class RedactorUnavailable(TandemError):
    """The PII redactor cannot run (its NER model is missing); ingestion must not start."""


class IndexUnavailable(TandemError):
    """The vector index cannot be used (locked by another process, server down, model mismatch)."""
