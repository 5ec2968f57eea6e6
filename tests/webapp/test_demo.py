"""The demo company: realistic data, seeded idempotently by ``tandem demo``."""

from __future__ import annotations

import re
from collections import Counter

import yaml
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo

from kb.demo import DEMO_USERS, articles_dir, demo_tickets
from kb.documents import DocumentStore
from kb.tickets import TicketStore
from tests.conftest import https_client, sign_in
from webapp.cli import main
from webapp.context import tandem

FRONT_MATTER_KEYS = {"title", "source", "approved", "audience", "product", "owner", "review_by"}


def run(app: Flask, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_the_demo_knowledge_base_has_forty_articles_with_front_matter() -> None:
    articles = [p for p in articles_dir().iterdir() if p.name.endswith(".md")]
    assert len(articles) >= 40
    approvals: Counter[tuple[str, bool]] = Counter()
    for article in articles:
        match = re.match(r"^---\n(.*?)\n---\n", article.read_text("utf-8"), re.S)
        assert match, article.name
        meta = yaml.safe_load(match.group(1))
        assert set(meta) >= FRONT_MATTER_KEYS, article.name
        approvals[(meta["source"], meta["approved"])] += 1
    assert approvals[("internal", False)] >= 3  # unapproved drafts that must never be indexed
    assert approvals[("public", True)] >= 20
    assert approvals[("internal", True)] >= 5


def test_the_demo_inbox_has_the_tickets_the_features_need() -> None:
    tickets = list(demo_tickets())
    assert len(tickets) >= 200
    assert {t["channel"] for t in tickets} == {"email", "chat"}
    assert {t["status"] for t in tickets} == {"open", "resolved"}
    assert any(t["customer"]["tier"] == "vip" for t in tickets)
    triggers = Counter(trigger for t in tickets for trigger in t["labels"]["escalate"])
    for trigger in ("vip", "legal", "churn", "repeat_contact", "negative_sentiment", "sla"):
        assert triggers[trigger] >= 5, trigger
    assert len({t["id"] for t in tickets}) == len(tickets)


def test_tandem_demo_seeds_everything_once(app: Flask) -> None:
    first = run(app, "demo", "--no-serve")
    assert first.exit_code == 0, first.output
    assert "4 users created" in first.output
    assert "alice    alice-demo-pass" in first.output
    again = run(app, "demo", "--no-serve")
    assert again.exit_code == 0, again.output
    assert "0 users created, 0 new of" in again.output
    assert "0 new, 0 changed" in again.output
    with tandem(app).database.transaction() as s:
        assert TicketStore(s).count() >= 200
        counts = DocumentStore(s).counts()
    assert counts["documents"] >= 40


def test_each_demo_user_signs_in_after_the_demo_is_seeded(app: Flask) -> None:
    assert run(app, "demo", "--no-serve").exit_code == 0
    for user in DEMO_USERS:
        client = https_client(app)
        sign_in(client, user)
        assert f"Hello, {user.display_name}" in client.get("/").get_data(as_text=True)
