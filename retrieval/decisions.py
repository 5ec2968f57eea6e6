"""The agent's one-call Decide on a draft, and the helpdesk's report that a ticket is resolved.

A decision stores the final text, the diff from the draft, its edit ratio, the style findings on
an edited text and the outcome tags (intent, sentiment, tone); the audit log gets the diff and
the note redacted. A resolution stores the final reply redacted, for the knowledge-refresh queue.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kb.audit import AuditLog
from kb.database import Database, utcnow
from kb.errors import Conflict, InvalidInput, NotFound
from retrieval.composer import is_casual
from retrieval.drafting import StyleGate, TextRedactor
from retrieval.drafts import (
    ACCEPTED,
    EDITED,
    ESCALATED,
    SUGGESTED,
    Draft,
    DraftStore,
    TicketResolution,
)


@dataclass(frozen=True)
class DecisionInput:
    action: str  # accept | edit | escalate
    final_text: str | None = None
    note: str | None = None


class DecisionService:
    """Records decisions and resolutions; one instance per app, dependencies passed in."""

    def __init__(self, database: Database, *, redactor: TextRedactor, style: StyleGate) -> None:
        self.database = database
        self.redactor = redactor
        self.style = style

    # --- Decide --------------------------------------------------------------------------------

    def decide(self, draft_id: str, decision: DecisionInput, *, actor: str) -> Draft:
        with self.database.transaction() as session:
            found = session.get(Draft, draft_id)
            if found is None:
                raise NotFound(f"No draft {draft_id}.")
            text, channel, version, document = (
                found.text,
                found.channel,
                found.card_version,
                found.document,
            )
        final = _final_text(text, decision)
        detection = document.get("detection") or {}
        intent = (detection.get("intent") or {}).get("id")
        findings: list[dict[str, Any]] = []
        if decision.action == "edit":
            # Checked outside the write transaction: the style card is read in its own.
            version, findings, _ = self.style.review(
                final,
                channel=channel,
                tier=str(detection.get("tier") or "standard"),
                intent=intent,
                customer_name=None,
            )
        diff = "\n".join(
            difflib.unified_diff(
                text.splitlines(), final.splitlines(), "draft", "final", lineterm=""
            )
        )
        record = {
            "action": decision.action,
            "final_text": final,
            "note": decision.note or "",
            "diff": diff,
            "edit_ratio": edit_ratio(text, final),
            "style": {"card_version": version, "findings": findings},
            "tags": {
                "intent": intent,
                "sentiment": (detection.get("sentiment") or {}).get("label"),
                "tone": "casual" if is_casual(final) else "formal",
            },
        }
        with self.database.transaction() as session:
            draft = session.get(Draft, draft_id)
            assert draft is not None
            if draft.status != SUGGESTED:
                raise Conflict(f"Draft {draft_id} was already decided ({draft.status}).")
            draft.status = {"accept": ACCEPTED, "edit": EDITED, "escalate": ESCALATED}[
                decision.action
            ]
            draft.decided_at, draft.decided_by = utcnow(), actor
            draft.decision = json.dumps(record)
            document["status"] = draft.status
            document["decision"] = record
            draft.body = json.dumps(document, default=str)
            AuditLog(session).append(
                actor=actor,
                action=f"draft.{decision.action}",
                subject=f"ticket:{draft.ticket_ref}",
                data={
                    "draft_id": draft.id,
                    "diff": self.redactor.redact_text(diff, {}),
                    "edit_ratio": record["edit_ratio"],
                    "card_version": version,
                    "findings": [f["rule"] for f in findings],
                    "tags": record["tags"],
                    "note": self.redactor.redact_text(decision.note or "", {}),
                },
            )
            return draft

    def record_resolution(
        self, ticket_ref: str, payload: Mapping[str, Any], *, actor: str
    ) -> TicketResolution:
        with self.database.transaction() as session:
            latest = DraftStore(session).latest_for_ticket(ticket_ref)
            resolution = TicketResolution(
                ticket_ref=ticket_ref,
                final_reply=self.redactor.redact_text(payload["final_reply"], {}),
                outcome=payload["outcome"],
                csat=payload.get("csat"),
                reopened=bool(payload.get("reopened", False)),
                draft_id=latest.id if latest else None,
                reported_by=actor,
            )
            session.add(resolution)
            session.flush()
            AuditLog(session).append(
                actor=actor,
                action="ticket.resolved",
                subject=f"ticket:{ticket_ref}",
                data={
                    "outcome": resolution.outcome,
                    "csat": resolution.csat,
                    "reopened": resolution.reopened,
                    "draft_id": resolution.draft_id,
                },
            )
            return resolution


def _final_text(draft_text: str, decision: DecisionInput) -> str:
    if decision.action == "accept":
        if decision.final_text is not None and decision.final_text != draft_text:
            raise InvalidInput(
                "An accepted draft is sent as it is.",
                {"final_text": ["Leave it out to accept, or use action edit to change the text."]},
            )
        return draft_text
    if decision.action == "edit":
        if not decision.final_text or not decision.final_text.strip():
            raise InvalidInput("An edit needs the edited text.", {"final_text": ["Required."]})
        return decision.final_text
    return decision.final_text or ""


def edit_ratio(draft_text: str, final_text: str) -> float:
    """Normalised edit distance: 0 when the reply went out as drafted, 1 when nothing is left."""
    if not draft_text and not final_text:
        return 0.0
    return round(1 - difflib.SequenceMatcher(None, draft_text, final_text).ratio(), 3)
