"""Reading the refresh queue: filters, sorting, paging, one proposal, its diff.

Plain functions over the caller's session (a page's or the API's): reading the queue needs
no model, index or redactor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from kb.documents import DocumentStore
from kb.errors import InvalidInput, NotFound
from review.diffs import DiffRow, side_by_side
from review.proposals import KINDS, PUBLISHED, STATES, RefreshProposal

SORTS: dict[str, tuple[Any, ...]] = {
    "priority": (RefreshProposal.priority.desc(), RefreshProposal.id.desc()),
    "newest": (RefreshProposal.created_at.desc(), RefreshProposal.id.desc()),
    "oldest": (RefreshProposal.created_at.asc(), RefreshProposal.id.asc()),
    "evidence": (RefreshProposal.evidence_count.desc(), RefreshProposal.id.desc()),
    "updated": (RefreshProposal.updated_at.desc(), RefreshProposal.id.desc()),
}
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class ProposalFilter:
    """What part of the queue to show; ``assignee=""`` means unassigned ones."""

    state: str | None = None
    kind: str | None = None
    assignee: str | None = None
    sort: str = "priority"
    page: int = 1
    per_page: int = 25

    def check(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.state is not None and self.state not in STATES:
            errors["state"] = [f"Use one of: {', '.join(STATES)}."]
        if self.kind is not None and self.kind not in KINDS:
            errors["kind"] = [f"Use one of: {', '.join(KINDS)}."]
        if self.sort not in SORTS:
            errors["sort"] = [f"Use one of: {', '.join(SORTS)}."]
        if self.page < 1:
            errors["page"] = ["Pages start at 1."]
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            errors["per_page"] = [f"Use 1 to {MAX_PER_PAGE}."]
        if errors:
            raise InvalidInput("The queue filters are invalid.", errors)


@dataclass(frozen=True)
class ProposalPage:
    items: list[RefreshProposal]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _filtered(query: Select[Any], filters: ProposalFilter) -> Select[Any]:
    if filters.state is not None:
        query = query.where(RefreshProposal.state == filters.state)
    if filters.kind is not None:
        query = query.where(RefreshProposal.kind == filters.kind)
    if filters.assignee is not None:
        query = query.where(RefreshProposal.assignee == filters.assignee)
    return query


def list_proposals(session: Session, filters: ProposalFilter) -> ProposalPage:
    """One page of the queue; raises InvalidInput for a bad filter."""
    filters.check()
    query = _filtered(select(RefreshProposal), filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.order_by(*SORTS[filters.sort])
        .limit(filters.per_page)
        .offset((filters.page - 1) * filters.per_page)
    )
    return ProposalPage(list(items), int(total), filters.page, filters.per_page)


def get_proposal(session: Session, proposal_id: int) -> RefreshProposal:
    proposal = session.scalar(
        select(RefreshProposal)
        .where(RefreshProposal.id == proposal_id)
        .options(selectinload(RefreshProposal.evidence))
    )
    if proposal is None:
        raise NotFound(f"No proposal {proposal_id}.")
    return proposal


def state_counts(session: Session) -> dict[str, int]:
    """Proposals per state, every state listed."""
    rows = session.execute(
        select(RefreshProposal.state, func.count()).group_by(RefreshProposal.state)
    )
    found = {state: int(count) for state, count in rows}
    return {state: found.get(state, 0) for state in STATES}


def live_body(session: Session, proposal: RefreshProposal) -> str:
    """The live text of the article the proposal is about ("" when there is none yet)."""
    store = DocumentStore(session)
    document = store.get(proposal.doc_id)
    if document is None or document.live_version is None:
        return ""
    version = store.version(document.doc_id, document.live_version)
    return version.body if version else ""


def proposal_diff(session: Session, proposal: RefreshProposal) -> list[DiffRow]:
    """The article as it is live (left) against the proposal's text (right); once published,
    the version it was drafted against (nothing, for a new article) against what it became."""
    if proposal.state != PUBLISHED:
        return side_by_side(live_body(session, proposal), proposal.body)
    base = (
        DocumentStore(session).version(proposal.doc_id, proposal.base_version)
        if proposal.base_version is not None
        else None
    )
    return side_by_side(base.body if base else "", proposal.body)
