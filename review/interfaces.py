"""What the refresh services need from the rest of Tandem, and the errors they raise.

TandemError (kb.errors)
 ├── Conflict
 │    └── StaleProposal       someone changed the proposal since the caller read it (409)
 └── InvalidInput
      └── InvalidTransition  the action is not allowed in the proposal's state (422)

Other failures are ``kb.errors``' own: ``NotFound`` (no such proposal or document),
``InvalidInput`` (a missing reject reason, an empty edit, an unknown assignee),
``PermissionDenied`` (a caller role that may not review).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from ingest.pipeline import IngestReport
from ingest.raw import RawDocument
from kb.errors import Conflict, InvalidInput
from retrieval.search import SearchHit


class StaleProposal(Conflict):
    """The proposal's ``lock_version`` is no longer the one the caller saw; nothing changed."""

    def __init__(self, proposal_id: int, expected: int, current: int) -> None:
        super().__init__(
            f"Proposal {proposal_id} was changed by someone else (version {current}, you had "
            f"{expected}). Reload it and try again."
        )
        self.current_version = current


class InvalidTransition(InvalidInput):
    """The action does not apply to a proposal in its current state."""

    def __init__(self, message: str) -> None:
        super().__init__(message, {"action": [message]})


DenyList = Mapping[str, Sequence[str]]


class Redacted(Protocol):
    @property
    def text(self) -> str: ...


class TextRedactor(Protocol):
    """The shared PII redactor (``kb.redaction.Redactor``): many texts, one NER pass."""

    def redact_many(
        self, texts: Sequence[str], *, deny: Sequence[DenyList | None] | None = None
    ) -> Sequence[Redacted]: ...


def redact(redactor: TextRedactor, text: str, deny: DenyList | None = None) -> str:
    """One text through the shared redactor (an empty text stays empty)."""
    if not text.strip():
        return text
    return redactor.redact_many([text], deny=[deny])[0].text


class Encoder(Protocol):
    """The dense encoder (``kb.index.encoders.DenseEncoder``): unit-length rows."""

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


class Searcher(Protocol):
    """Hybrid search over the live knowledge base (``retrieval.search.HybridSearch``)."""

    def search(
        self, query: str, *, k: int = 10, filters: Mapping[str, Sequence[str]] | None = None
    ) -> list[SearchHit]: ...


class Publisher(Protocol):
    """Re-indexes one reviewed document (``ingest.pipeline.IngestPipeline.publish``)."""

    def publish(
        self,
        raw: RawDocument,
        *,
        actor: str,
        note: str = "",
        origin: str | None = None,
        source_hash: str = "",
    ) -> IngestReport: ...
