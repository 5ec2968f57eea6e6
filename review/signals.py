"""Gap signals: what about a resolved ticket says the knowledge base did not serve it well."""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.composer import CONFIDENT
from retrieval.decisions import edit_ratio
from retrieval.drafts import EDITED, ESCALATED, Draft, TicketResolution

LOW_CONFIDENCE = "low_confidence"
ESCALATED_DRAFT = "escalated"
HEAVILY_EDITED = "heavily_edited"
REOPENED = "reopened"
NO_CITATION = "no_citation"
NO_DRAFT = "no_draft"
# Signals of a stale document rather than of a ticket.
REVIEW_OVERDUE = "review_overdue"
CITED_BY_REOPENED = "cited_by_reopened"
CITED_BY_ESCALATED = "cited_by_escalated"

SIGNAL_LABELS = {
    LOW_CONFIDENCE: "Low retrieval confidence",
    ESCALATED_DRAFT: "Escalated",
    HEAVILY_EDITED: "Draft heavily edited",
    REOPENED: "Reopened",
    NO_CITATION: "Draft cited nothing",
    NO_DRAFT: "Answered without a draft",
    REVIEW_OVERDUE: "Review date passed",
    CITED_BY_REOPENED: "Cited by reopened tickets",
    CITED_BY_ESCALATED: "Cited by escalated tickets",
}

# Share of the draft an agent rewrote (1 - difflib ratio, draft vs final reply) above which the
# draft did not serve: a changed greeting or one added sentence stays well below it.
HEAVY_EDIT_RATIO = 0.5


@dataclass(frozen=True)
class TicketSignals:
    """The signals of one resolved ticket, with what they were read from."""

    names: list[str]
    edit_ratio: float | None  # None when there was no draft to edit
    cited: list[str]  # doc ids the draft cited


def ticket_signals(resolution: TicketResolution, draft: Draft | None) -> TicketSignals:
    """The gap signals of a resolved ticket and the draft it was answered from (if any)."""
    names: list[str] = []
    if resolution.reopened:
        names.append(REOPENED)
    if draft is None:
        if resolution.outcome == "escalated":
            names.append(ESCALATED_DRAFT)
        names.append(NO_DRAFT)
        return TicketSignals(names, None, [])
    document = draft.document
    needs_human = bool((document.get("draft") or {}).get("needs_human"))
    if draft.confidence < CONFIDENT or needs_human:
        names.append(LOW_CONFIDENCE)
    if draft.status == ESCALATED or resolution.outcome == "escalated":
        names.append(ESCALATED_DRAFT)
    cited = list(dict.fromkeys(str(c.get("doc_id")) for c in document.get("citations") or []))
    if not cited:
        names.append(NO_CITATION)
    # The decision's own ratio compares the draft with the edited text; the final reply may
    # have been changed again in the helpdesk, so the larger of the two counts.
    decided = draft.decision_document.get("edit_ratio") if draft.status == EDITED else None
    ratio = max(edit_ratio(draft.text, resolution.final_reply), float(decided or 0.0))
    if ratio > HEAVY_EDIT_RATIO:
        names.append(HEAVILY_EDITED)
    return TicketSignals(names, ratio, cited)
