"""The demo company, Fernhill: users, tickets and articles shipped as package data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from sqlalchemy.orm import Session

from kb.tickets import TicketStore
from kb.users import Role, UserService

DEMO_ACTOR = "tandem-demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: Role

    @property
    def password(self) -> str:
        # Published in the README and printed by `tandem demo`: demo data only, never production.
        return f"{self.username}-demo-pass"


DEMO_USERS = (
    DemoUser("alice", "Alice Moreno", Role.AGENT),
    DemoUser("kiran", "Kiran Patel", Role.KNOWLEDGE_MANAGER),
    DemoUser("bea", "Bea Lindqvist", Role.BRAND_OWNER),
    DemoUser("ada", "Ada Okoye", Role.ADMIN),
)


@dataclass
class DemoReport:
    users_created: list[str] = field(default_factory=list)
    tickets_new: int = 0
    tickets_seen: int = 0


def data_dir() -> Traversable:
    return resources.files("kb.demo_data")


def articles_dir() -> Traversable:
    return data_dir().joinpath("articles")


def demo_tickets() -> Iterator[dict[str, Any]]:
    """The demo tickets as dicts, timestamps parsed."""
    with data_dir().joinpath("tickets.jsonl").open("r", encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            ticket: dict[str, Any] = json.loads(line)
            if "id" not in ticket or "channel" not in ticket:
                raise ValueError(f"tickets.jsonl line {number}: id and channel are required")
            ticket["created_at"] = datetime.fromisoformat(ticket["created_at"])
            yield ticket


def seed_users(session: Session, report: DemoReport) -> None:
    users = UserService(session)
    for demo in DEMO_USERS:
        if users.find(demo.username) is None:
            users.create(
                demo.username,
                demo.password,
                demo.role,
                display_name=demo.display_name,
                actor=DEMO_ACTOR,
            )
            report.users_created.append(demo.username)


def seed_tickets(session: Session, report: DemoReport) -> None:
    store = TicketStore(session)
    for ticket in demo_tickets():
        _, created = store.upsert(ticket)
        report.tickets_seen += 1
        report.tickets_new += int(created)
