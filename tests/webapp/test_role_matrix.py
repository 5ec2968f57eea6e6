"""Every route × every role (and anonymous) gets exactly the expected answer.

The table below is written by hand on purpose: the test walks the app's URL map, so a new
route that is missing here fails, and a route whose access rule drifts from this table fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kb.demo import DemoUser
from kb.users import Role
from tests.conftest import csrf_token, sign_in

A, K, B, D = Role.AGENT, Role.KNOWLEDGE_MANAGER, Role.BRAND_OWNER, Role.ADMIN
EVERYONE = "everyone"
SIGNED_IN = frozenset({A, K, B, D})

# endpoint → who may use it (EVERYONE includes anonymous callers)
EXPECTED: dict[str, str | frozenset[Role]] = {
    "auth.login": EVERYONE,
    "auth.logout": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "dashboard.home": SIGNED_IN,
    "dashboard.agent": frozenset({A, D}),
    "dashboard.new_draft": frozenset({A, D}),
    "dashboard.draft": frozenset({A, D}),
    "dashboard.decide": frozenset({A, D}),
    "dashboard.passage": frozenset({A, D}),
    "review.index": frozenset({K, D}),
    "review.preview": frozenset({K, D}),
    "review.scan": frozenset({K, D}),
    "review.stale": frozenset({K, D}),
    "review.verify_document": frozenset({K, D}),
    "review.proposal": frozenset({K, D}),
    "review.start_review": frozenset({K, D}),
    "review.assign_to_me": frozenset({K, D}),
    "review.save_edit": frozenset({K, D}),
    "review.approve": frozenset({K, D}),
    "review.reject": frozenset({K, D}),
    "review.publish": frozenset({K, D}),
    "style.index": frozenset({B, D}),
    "style.version": frozenset({B, D}),
    "style.publish": frozenset({B, D}),
    "style.rollback": frozenset({B, D}),
    "style.diff": frozenset({B, D}),
    "style.edit": frozenset({B, D}),
    "style.edit_yaml": frozenset({B, D}),
    "admin.users": frozenset({D}),
    "admin.create_user": frozenset({D}),
    "admin.set_role": frozenset({D}),
    "admin.toggle_active": frozenset({D}),
    "admin.tokens": frozenset({D}),
    "admin.create_token": frozenset({D}),
    "admin.revoke_token": frozenset({D}),
    "admin.audit": frozenset({D}),
    "admin.knowledge": frozenset({D}),
    "admin.start_ingest": frozenset({D}),
    "admin.ingest_run": frozenset({D}),
    "admin.document": frozenset({K, D}),
    "api.health": EVERYONE,
    "api.openapi": EVERYONE,
    "api.me": SIGNED_IN,
    "api.put_ticket": frozenset({A, D}),
    "api.get_ticket": frozenset({A, D}),
    "api.create_draft": frozenset({A, D}),
    "api.get_draft": frozenset({A, D}),
    "api.decide_draft": frozenset({A, D}),
    "api.ticket_resolved": frozenset({A, D}),
    "api.get_style_card": SIGNED_IN,
    "api.style_check": frozenset({A, B, D}),
    "api.create_style_version": frozenset({B, D}),
    "api.publish_style_version": frozenset({B, D}),
    "api.suppress_finding": frozenset({A, D}),
    "api.search": SIGNED_IN,
    "api.list_proposals": frozenset({K, D}),
    "api.get_proposal": frozenset({K, D}),
    "api.transition_proposal": frozenset({K, D}),
    "api.scan_resolved": frozenset({K, D}),
}

ROLES: list[Role | None] = [None, *Role]
# An admitted caller reaches the view: a page, or a 404 for the made-up id; an empty POST
# reaches validation (400/422), a missing object (404), or succeeds (200/201/302/303).
ALLOWED_GET = (200, 404)
ALLOWED_POST = (200, 201, 302, 303, 400, 404, 422)


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(
            r"<(?:int:)?([a-z_]+)>", lambda m: "999999" if "id" in m.group(1) else "x", rule.rule
        )
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, path))
    return routes


def test_every_route_is_in_the_expected_table(app: Flask) -> None:
    endpoints = {endpoint for endpoint, _, _ in _routes(app)}
    assert endpoints == set(EXPECTED), (
        f"routes without an expectation: {sorted(endpoints - set(EXPECTED))}; "
        f"expectations without a route: {sorted(set(EXPECTED) - endpoints)}"
    )


def _allowed(endpoint: str, role: Role | None) -> bool:
    rule = EXPECTED[endpoint]
    if rule == EVERYONE:
        return True
    return role is not None and isinstance(rule, frozenset) and role in rule


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_each_role_gets_exactly_its_routes(
    app: Flask,
    client: FlaskClient,
    users: dict[Role, DemoUser],
    api_token: Callable[[Role], str],
    role: Role | None,
) -> None:
    headers: dict[str, str] = {}
    if role is not None:
        sign_in(client, users[role])
        headers["Authorization"] = f"Bearer {api_token(role)}"
    token = csrf_token(client, "/login") if role is None else _page_csrf(client)
    failures = []
    for endpoint, method, path in _routes(app):
        if endpoint == "auth.logout":
            continue  # signing out mid-matrix would change the role under test; see test_auth
        is_api = path.startswith("/api/")
        kwargs: dict[str, object] = {"headers": headers} if is_api else {}
        if method == "POST":
            kwargs.update({"json": {}} if is_api else {"data": {"csrf_token": token}})
        status = client.open(path, method=method, **kwargs).status_code  # type: ignore[arg-type]
        if _allowed(endpoint, role):
            ok = status in (ALLOWED_GET if method == "GET" else ALLOWED_POST)
            # The sign-in page sends someone already signed in on to the start page.
            ok = ok or (endpoint == "auth.login" and role is not None and status == 302)
        elif role is None:
            ok = status == (401 if is_api else 302)
        else:
            ok = status == 403
        if not ok:
            failures.append(f"{method} {path} ({endpoint}) → {status}")
    assert not failures, "\n".join(failures)


def _page_csrf(client: FlaskClient) -> str:
    return csrf_token(client, "/account/password")
