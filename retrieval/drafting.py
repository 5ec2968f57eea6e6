"""``DraftService``: Detect → Draft for one ticket (the agent's Decide: ``retrieval.decisions``).

Every draft and decision is stored and audited: the ticket reference, the retrieved chunk ids and
scores, the citations, the style-card version and findings, the configuration and the timings,
and for a decision the diff from the draft. Ticket text is redacted before it is searched,
stored in the audit log or logged (only ids and labels are logged).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from kb.audit import AuditLog
from kb.database import Database, utcnow
from kb.redaction import Redactor
from retrieval.composer import TicketView, Voice, compose, is_casual, render
from retrieval.drafts import SUGGESTED, Draft, new_draft_id
from retrieval.llm import ChatModel
from retrieval.llm_drafting import LlmDrafter
from retrieval.search import HybridSearch
from retrieval.tickets import identity_deny_list

log = logging.getLogger(__name__)
RETRIEVE_K = 8


class TextRedactor(Protocol):
    def redact_text(self, text: str, deny: Mapping[str, Sequence[str]]) -> str: ...


class Detector(Protocol):
    def detect_ticket(self, ticket: Mapping[str, Any], now: datetime) -> dict[str, Any]: ...


class Handoff(Protocol):
    @property
    def package(self) -> dict[str, Any]: ...

    @property
    def subject(self) -> str: ...  # redacted

    @property
    def body(self) -> str: ...  # redacted


class ContextSource(Protocol):
    def context_for(self, ticket: Mapping[str, Any]) -> Handoff:
        """The context package, and the ticket's subject and body redacted in the same pass."""


class StyleGate(Protocol):
    def voice(self) -> Voice: ...

    def review(
        self, text: str, *, channel: str, tier: str, intent: str | None, customer_name: str | None
    ) -> tuple[int | None, list[dict[str, Any]], list[str]]:
        """(card version, findings, required disclaimer texts missing from ``text``)."""


class RedactorAdapter:
    """The PII redactor as drafting uses it: one text, the ticket's identity as a deny-list."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor

    def redact_text(self, text: str, deny: Mapping[str, Sequence[str]]) -> str:
        return self.redactor.redact(text, deny=deny).text if text.strip() else text


class DraftService:
    """Drafts replies; one instance per app, dependencies passed in."""

    def __init__(
        self,
        database: Database,
        search: HybridSearch,
        *,
        redactor: TextRedactor,
        detector: Detector,
        context: ContextSource,
        style: StyleGate,
        config: Mapping[str, Any],
        llm: ChatModel | None = None,
    ) -> None:
        self.database = database
        self.search = search
        self.redactor = redactor
        self.detector = detector
        self.context = context
        self.style = style
        self.config = dict(config)
        # LLM mode is optional: without a model every draft is extractive.
        self.llm = LlmDrafter(llm) if llm is not None else None
        if self.llm is not None:
            self.config.update(self.llm.describe())

    # --- Detect → Draft -----------------------------------------------------------------------

    def draft_reply(
        self,
        ticket: Mapping[str, Any],
        *,
        actor: str,
        filters: Mapping[str, Sequence[str]] | None = None,
        agent_name: str = "",
        now: datetime | None = None,
    ) -> Draft:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        customer = dict(ticket.get("customer") or {})
        deny = identity_deny_list(customer)
        # One redaction pass for the ticket, its history and the customer's stored tickets:
        # the draft searches and quotes the text the context package shows, same placeholders.
        context = self.context.context_for(ticket)
        handoff, subject, body = context.package, context.subject, context.body
        timings["redact_and_context"] = _ms(started)

        mark = time.perf_counter()
        detection = self.detector.detect_ticket(ticket, now or utcnow())
        timings["detect"] = _ms(mark)

        mark = time.perf_counter()
        hits = self.search.search(
            f"{subject}\n{body}", k=RETRIEVE_K, filters=filters, redacted=True
        )
        timings["retrieve"] = _ms(mark)

        mark = time.perf_counter()
        view = TicketView(
            channel=ticket["channel"],
            subject=subject,
            body=body,
            first_name=_first_name(customer.get("name")),
            topic=_topic(subject, detection),
            casual=is_casual(ticket["body"]),
        )
        composition = compose(view, hits, self.style.voice(), agent_first_name=agent_name or "")
        redraft = None
        if self.llm is not None:
            asked = time.perf_counter()
            redraft = self.llm.redraft(composition, view, hits, ref=str(ticket["id"]))
            composition = redraft.composition
            timings["llm"] = _ms(asked)
            mark += timings["llm"] / 1000  # "compose" is our own work, not the wait for the model
        intent = (detection.get("intent") or {}).get("id")
        version, findings, missing = self.style.review(
            composition.text,
            channel=view.channel,
            tier=customer.get("tier", "standard"),
            intent=intent,
            customer_name=customer.get("name"),
        )
        if missing and not composition.needs_human:
            # Required disclaimers come from the brand's published card, so adding them is safe.
            composition.sections["disclaimers"] = missing
            composition.text = render(composition.sections, view.channel)
            version, findings, _ = self.style.review(
                composition.text,
                channel=view.channel,
                tier=customer.get("tier", "standard"),
                intent=intent,
                customer_name=customer.get("name"),
            )
        timings["compose"] = _ms(mark)

        escalation = dict(detection.get("escalation") or {"required": False, "reasons": []})
        reasons = list(escalation.get("reasons") or [])
        if composition.needs_human:
            reasons.append({"trigger": "low_confidence", "reason": composition.reasons[0]})
        escalation = {"required": bool(reasons), "reasons": reasons}

        mark = time.perf_counter()
        # Redacted: the draft quotes knowledge and the customer's first name only.
        audit_text = self.redactor.redact_text(composition.text, deny)
        document = {
            "ticket": {"id": str(ticket["id"]), "channel": view.channel},
            "draft": {
                "text": composition.text,
                "sections": composition.sections,
                "agent_notes": composition.agent_notes,
                "needs_human": composition.needs_human,
            },
            "citations": [c.to_json() for c in composition.citations],
            "retrieved": [
                {
                    "chunk_id": h.chunk_id,
                    "doc_id": h.doc_id,
                    "score": round(h.score, 4),
                    "visibility": h.field("visibility"),
                }
                for h in hits
            ],
            "detection": detection,
            "escalation": escalation,
            "context": handoff,
            "style": {"card_version": version, "findings": findings},
            "confidence": composition.confidence,
            "mode": "extractive",
            **(redraft.report() if redraft else {}),
            "config": self.config,
            "timings_ms": timings,
            "warnings": (
                [
                    f"Ignored {len(composition.skipped_instructions)} knowledge sentence(s) that "
                    "read as instructions to an AI."
                ]
                if composition.skipped_instructions
                else []
            )
            + (redraft.warnings if redraft else []),
        }
        # The id is chosen here, not by the INSERT, so the row is written once, body included.
        document["id"] = new_draft_id()
        document["status"] = SUGGESTED
        # "store": the audit log's redacted copy of the draft and the document. Writing the two
        # rows (encoding, INSERTs, the commit: a millisecond or two) comes after "total": a row
        # cannot hold the time it takes to write it.
        timings["store"] = _ms(mark)
        timings["total"] = _ms(started)
        with self.database.transaction() as session:
            draft = Draft(
                id=document["id"],
                ticket_ref=str(ticket["id"]),
                channel=view.channel,
                created_by=actor,
                text=composition.text,
                body=json.dumps(document, default=str),
                confidence=composition.confidence,
                mode=document["mode"],
                card_version=version,
            )
            session.add(draft)
            AuditLog(session).append(
                actor=actor,
                action="draft.create",
                subject=f"ticket:{draft.ticket_ref}",
                data={
                    "draft_id": draft.id,
                    "retrieved": document["retrieved"],
                    "citations": [
                        {"n": c.n, "chunk_id": c.hit.chunk_id} for c in composition.citations
                    ],
                    "card_version": version,
                    "findings": [f["rule"] for f in findings],
                    "escalation": [r.get("trigger") for r in reasons],
                    "confidence": composition.confidence,
                    "mode": document["mode"],
                    "config": self.config,
                    "timings_ms": timings,
                    "text": audit_text,
                },
            )
        log.info(
            "draft %s for ticket %s: %d citations, confidence %.2f",
            draft.id,
            draft.ticket_ref,
            len(composition.citations),
            composition.confidence,
        )
        return draft


def _first_name(name: Any) -> str:
    parts = str(name or "").split()
    return parts[0] if parts else ""


def _topic(subject: str, detection: Mapping[str, Any]) -> str:
    cleaned = " ".join(w for w in subject.split() if not w.startswith("<")).strip(" .!?:-")
    if cleaned and len(cleaned.split()) <= 12:
        return f'"{cleaned}"'
    name = (detection.get("intent") or {}).get("name")
    return str(name).lower() if name else ""


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
