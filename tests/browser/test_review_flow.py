"""A knowledge manager works the refresh queue in a real browser: opens the proposal drafted
from the demo's QR-code tickets, reads the evidence, edits with the live preview, approves, and
finds the new version on the document page."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from playwright.sync_api import Page, expect

from kb.demo import DEMO_USERS
from kb.users import Role
from tests.browser.test_sign_in import _sign_in
from tests.webapp.test_review_pages import store_proposal
from webapp.cli import main

pytestmark = pytest.mark.browser

QR_TICKETS = ("FH-10124", "FH-10163", "FH-10177", "FH-10221", "FH-10296", "FH-10350", "FH-10415")
# Publishing redacts, embeds and indexes the article: seconds, not the 5 s default.
PUBLISH_TIMEOUT_MS = 60_000


def _seed_demo(app: Flask) -> None:
    """The demo company: its knowledge base, and its resolved tickets reported and scanned
    through the refresh services, which turns the QR-code tickets into a proposal."""
    result = CliRunner().invoke(
        main, ["demo", "--no-serve"], obj=ScriptInfo(create_app=lambda: app)
    )
    assert result.exit_code == 0, result.output


def test_a_knowledge_manager_reviews_edits_and_approves_a_proposal(
    page: Page, live_app: tuple[Flask, str]
) -> None:
    app, base = live_app
    _seed_demo(app)
    kiran = next(u for u in DEMO_USERS if u.role is Role.KNOWLEDGE_MANAGER)
    _sign_in(page, base, kiran)

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Knowledge refresh"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowledge refresh")
    page.get_by_label("Kind").select_option("new")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name=re.compile(r"QR code|Scan to pay", re.I)).first.click()

    # The evidence: the resolved tickets the article was drafted from, redacted.
    evidence = page.locator("table.evidence")
    for ticket in QR_TICKETS[:4]:
        expect(evidence).to_contain_text(ticket)
    expect(evidence).not_to_contain_text("Patrick")

    # Edit the Markdown: the preview follows as the reviewer types.
    editor = page.get_by_label("Article (Markdown)")
    body = editor.input_value()
    assert "## Steps" in body
    editor.fill(body + "\n\n## Paper invoices\n\nChoose **Large** for invoices you post.\n")
    preview = page.locator("#preview")
    expect(preview.get_by_role("heading", name="Paper invoices")).to_be_visible()
    expect(preview.locator("strong", has_text="Large")).to_be_visible()
    page.get_by_role("button", name="Save edit").click()
    expect(page.get_by_text("Your edit is saved.")).to_be_visible()
    page.wait_for_load_state()  # the shortcut script runs once the page has loaded

    # Approve with the keyboard shortcut, which asks first.
    page.once("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("a")
    expect(page.get_by_text(re.compile(r"Approved and published as version \d+\."))).to_be_visible(
        timeout=PUBLISH_TIMEOUT_MS
    )

    page.get_by_role("link", name=re.compile(r"^version \d+ of ")).click()
    versions = page.get_by_role("table").filter(has_text="Created or approved by")
    expect(versions.locator("tbody tr").first).to_contain_text("live")
    expect(versions.locator("tbody tr").first).to_contain_text("kiran")
    published = page.locator(".markdown")
    expect(published.get_by_role("heading", name="Paper invoices")).to_be_visible()
    expect(published).to_contain_text("Choose Large for invoices you post.")


def test_the_queue_answers_to_the_keyboard(page: Page, live_app: tuple[Flask, str]) -> None:
    app, base = live_app
    store_proposal(app, "Refund timing", priority=9)
    store_proposal(app, "Payroll dates", priority=5)
    _sign_in(page, base, next(u for u in DEMO_USERS if u.role is Role.KNOWLEDGE_MANAGER))
    page.goto(base + "/review/")
    help_list = page.locator("#shortcut-help")
    expect(help_list).to_be_hidden()
    page.keyboard.press("?")
    expect(help_list).to_be_visible()

    rows = page.locator("table.queue tbody tr")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("o")
    heading = page.locator("main > h1")  # the article's own "# Draft" is in the preview
    expect(heading).to_have_text("Refund timing")
    page.wait_for_load_state()  # the shortcut script runs once the page has loaded

    page.keyboard.press("e")
    expect(page.get_by_label("Article (Markdown)")).to_be_focused()
    page.keyboard.type("jk")  # typing in the editor is text, not navigation
    expect(heading).to_have_text("Refund timing")
    heading.click()
    page.keyboard.press("r")
    expect(page.get_by_label("Reason for rejecting")).to_be_focused()


def test_an_agent_sees_nothing_of_the_queue(page: Page, live_app: tuple[Flask, str]) -> None:
    _, base = live_app
    _sign_in(page, base, next(u for u in DEMO_USERS if u.role is Role.AGENT))
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Knowledge refresh")).to_have_count(0)
    response = page.goto(base + "/review/")
    assert response is not None
    assert response.status == 403
