"""Each role signs in, sees only its areas, navigates, and signs out, in a real browser."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from kb.demo import DEMO_USERS, DemoUser
from kb.users import Role

pytestmark = pytest.mark.browser

AREAS = {
    Role.AGENT: ["Home", "Agent desk"],
    Role.KNOWLEDGE_MANAGER: ["Home", "Knowledge refresh"],
    Role.BRAND_OWNER: ["Home", "Style card"],
    Role.ADMIN: [
        "Home",
        "Agent desk",
        "Knowledge refresh",
        "Style card",
        "Knowledge",
        "Users",
        "API tokens",
        "Audit log",
    ],
}


def _sign_in(page: Page, base: str, user: DemoUser) -> None:
    page.goto(base + "/login")
    page.get_by_label("User name").fill(user.username)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {user.display_name}")


@pytest.mark.parametrize("user", DEMO_USERS, ids=lambda u: u.role.value)
def test_each_role_signs_in_navigates_and_signs_out(
    page: Page, live_app: tuple[Flask, str], user: DemoUser
) -> None:
    _, base = live_app
    _sign_in(page, base, user)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(AREAS[user.role])
    for label in AREAS[user.role][1:]:
        nav.get_by_role("link", name=label, exact=True).click()
        expect(nav.get_by_role("link", name=label, exact=True)).to_have_attribute(
            "aria-current", "page"
        )
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Tandem")
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def test_an_agent_is_refused_the_admin_pages(page: Page, live_app: tuple[Flask, str]) -> None:
    _, base = live_app
    _sign_in(page, base, next(u for u in DEMO_USERS if u.role is Role.AGENT))
    response = page.goto(base + "/admin/users")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("403 · Forbidden")


def test_a_session_cookie_replayed_after_sign_out_is_refused(
    browser: Browser, page: Page, live_app: tuple[Flask, str]
) -> None:
    _, base = live_app
    _sign_in(page, base, next(u for u in DEMO_USERS if u.role is Role.ADMIN))
    stolen = page.context.cookies()
    assert any(c["name"] == "tandem_session" and c["httpOnly"] and c["secure"] for c in stolen)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Tandem")

    attacker = browser.new_context()
    attacker.add_cookies(stolen)  # type: ignore[arg-type]
    replay = attacker.new_page()
    replay.goto(base + "/admin/users")
    expect(replay.get_by_role("heading", level=1)).to_have_text("Sign in to Tandem")
    assert "/login" in replay.url
    attacker.close()
