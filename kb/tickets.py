"""Customers and their tickets, as the helpdesk sends them: the history drafts and refresh use."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from kb.database import Base, UTCDateTime, utcnow


class Customer(Base):
    """A helpdesk customer; ``external_id`` is the helpdesk's own id."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320), default="", index=True)
    tier: Mapped[str] = mapped_column(String(32), default="standard")
    profile: Mapped[str] = mapped_column(Text, default="{}")

    tickets: Mapped[list[Ticket]] = relationship(back_populates="customer")


class Ticket(Base):
    """One support conversation; ``external_id`` is the helpdesk's ticket id."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), unique=True)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), nullable=True, index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    subject: Mapped[str] = mapped_column(String(1000), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    extra: Mapped[str] = mapped_column(Text, default="{}")

    customer: Mapped[Customer | None] = relationship(back_populates="tickets")

    @property
    def details(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.extra)
        return loaded


CUSTOMER_COLUMNS = ("name", "email", "tier")
TICKET_COLUMNS = ("channel", "status", "subject", "body")


class TicketStore:
    """Inserts or updates tickets and their customers by the helpdesk's ids."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert(self, ticket: Mapping[str, Any]) -> tuple[Ticket, bool]:
        """Store ``ticket`` (API shape); returns the row and whether it was new."""
        customer = self._upsert_customer(ticket.get("customer") or {})
        row = self.get(str(ticket["id"]))
        created = row is None
        if row is None:
            row = Ticket(external_id=str(ticket["id"]))
            self.session.add(row)
        for column in TICKET_COLUMNS:
            if column in ticket:
                setattr(row, column, ticket[column])
        if "created_at" in ticket and ticket["created_at"] is not None:
            row.created_at = ticket["created_at"]
        row.customer = customer
        extra = {
            k: v
            for k, v in ticket.items()
            if k not in {*TICKET_COLUMNS, "id", "customer", "created_at"}
        }
        row.extra = json.dumps(extra, sort_keys=True, default=str)
        self.session.flush()
        return row, created

    def get(self, external_id: str) -> Ticket | None:
        return self.session.scalar(select(Ticket).where(Ticket.external_id == external_id))

    def recent(self, *, status: str | None = None, limit: int = 50) -> list[Ticket]:
        """The newest tickets first, optionally only those with ``status``."""
        query = select(Ticket).order_by(Ticket.created_at.desc()).limit(limit)
        if status is not None:
            query = query.where(Ticket.status == status)
        return list(self.session.scalars(query))

    def count(self, *, status: str | None = None) -> int:
        query = select(func.count()).select_from(Ticket)
        if status is not None:
            query = query.where(Ticket.status == status)
        return self.session.scalar(query) or 0

    def _upsert_customer(self, data: Mapping[str, Any]) -> Customer | None:
        external_id = data.get("id") or data.get("email")
        if not external_id:
            return None
        customer = self.session.scalar(
            select(Customer).where(Customer.external_id == str(external_id))
        )
        if customer is None:
            customer = Customer(external_id=str(external_id))
            self.session.add(customer)
        for column in CUSTOMER_COLUMNS:
            if data.get(column) is not None:
                setattr(customer, column, data[column])
        profile = {k: v for k, v in data.items() if k not in {*CUSTOMER_COLUMNS, "id"}}
        customer.profile = json.dumps(profile, sort_keys=True, default=str)
        return customer
