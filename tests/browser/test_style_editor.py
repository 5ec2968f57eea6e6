"""A brand owner edits a banned phrase, previews, publishes, sees the diff and rolls back."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from kb.demo import DEMO_USERS, DemoUser
from kb.users import Role
from styleguide.demo import seed_demo_card
from styleguide.versions import StyleCardService
from webapp.context import tandem

pytestmark = pytest.mark.browser


def _user(role: Role) -> DemoUser:
    return next(u for u in DEMO_USERS if u.role is role)


def _sign_in(page: Page, base: str, user: DemoUser) -> None:
    page.goto(base + "/login")
    page.get_by_label("User name").fill(user.username)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {user.display_name}")


def test_a_brand_owner_edits_previews_publishes_compares_and_rolls_back(
    page: Page, live_app: tuple[Flask, str]
) -> None:
    app, base = live_app
    with tandem(app).database.transaction() as s:
        seed_demo_card(s, actor="tandem-demo")
    _sign_in(page, base, _user(Role.BRAND_OWNER))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Style card").click()
    expect(page.get_by_text("Version 1 is current")).to_be_visible()

    page.get_by_role("link", name="Edit (form)").click()
    page.get_by_label("Phrase or pattern of ban-unfortunately").fill("no longer")
    page.get_by_label("Severity of ban-unfortunately").select_option("error")
    page.get_by_label("Bad example of ban-unfortunately").fill("That plan is no longer sold.")
    page.get_by_role("button", name="Preview").click()
    summary = page.locator(".preview-summary")
    expect(summary).to_contain_text("would newly fail")
    assert "0 would newly fail" not in summary.inner_text()
    expect(page.locator("details.newly-failing").first).to_contain_text("ban-unfortunately")

    page.get_by_label("Change note").fill("No more 'no longer'")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Version 2")
    page.get_by_label("Publish note").fill("Ban 'no longer' this week")
    page.get_by_role("button", name="Publish version 2").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Changes from version 1 to version 2")
    rule_changes = page.locator("table.diff-rules")
    expect(rule_changes).to_contain_text("ban-unfortunately")
    expect(rule_changes).to_contain_text("no longer")
    expect(page.get_by_text("Version 2 is now the current card.")).to_be_visible()

    page.get_by_role("link", name="Versions", exact=True).click()
    page.get_by_role("button", name="Roll back to version 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes from version 2 to version 3")
    with tandem(app).database.transaction() as s:
        current = StyleCardService(s).current_version()
        assert current is not None
        assert (current.number, current.rollback_of) == (3, 1)


def test_an_agent_cannot_reach_the_editor(page: Page, live_app: tuple[Flask, str]) -> None:
    _, base = live_app
    _sign_in(page, base, _user(Role.AGENT))
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Style card")).to_have_count(0)
    response = page.goto(base + "/style/edit")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("403 · Forbidden")
