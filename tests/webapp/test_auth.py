from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from kb.audit import AuditEntry
from kb.demo import DemoUser
from kb.users import Role, User
from tests.conftest import csrf_token, https_client, sign_in


def _post_login(client: FlaskClient, username: str, password: str, next_url: str = "") -> int:
    path = f"/login?next={next_url}" if next_url else "/login"
    return client.post(
        path, data={"username": username, "password": password, "csrf_token": csrf_token(client)}
    ).status_code


def test_signing_in_leads_to_the_start_page(
    client: FlaskClient, users: dict[Role, DemoUser]
) -> None:
    alice = users[Role.AGENT]
    response = client.post(
        "/login",
        data={
            "username": alice.username,
            "password": alice.password,
            "csrf_token": csrf_token(client),
        },
    )
    assert response.headers["Location"] == "/"
    assert "Hello, Alice Moreno" in client.get("/").get_data(as_text=True)


def test_a_wrong_password_re_renders_the_form_with_an_error(
    client: FlaskClient, users: dict[Role, DemoUser]
) -> None:
    response = client.post(
        "/login",
        data={"username": "alice", "password": "nope-nope-nope", "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 401
    assert "Unknown user name or wrong password." in response.get_data(as_text=True)


def test_the_session_cookie_is_secure_http_only_and_same_site(
    client: FlaskClient, users: dict[Role, DemoUser]
) -> None:
    alice = users[Role.AGENT]
    response = client.post(
        "/login",
        data={
            "username": alice.username,
            "password": alice.password,
            "csrf_token": csrf_token(client),
        },
    )
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if "tandem_session=" in v)
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_signing_in_issues_a_new_session_cookie(
    client: FlaskClient, users: dict[Role, DemoUser]
) -> None:
    csrf_token(client)  # an anonymous session exists now, as an attacker could plant one
    before = client.get_cookie("tandem_session", domain="localhost")
    assert before is not None
    sign_in(client, users[Role.AGENT])
    after = client.get_cookie("tandem_session", domain="localhost")
    assert after is not None
    assert after.value != before.value


def test_a_replayed_cookie_is_refused_after_sign_out(
    app: Flask, client: FlaskClient, users: dict[Role, DemoUser]
) -> None:
    sign_in(client, users[Role.ADMIN])
    stolen = client.get_cookie("tandem_session", domain="localhost")
    assert stolen is not None
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    replay = https_client(app)
    replay.set_cookie("tandem_session", stolen.value, domain="localhost")
    response = replay.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_password_change_signs_out_other_browsers(
    app: Flask, client: FlaskClient, users: dict[Role, DemoUser]
) -> None:
    alice = users[Role.AGENT]
    other = https_client(app)
    sign_in(other, alice)
    sign_in(client, alice)
    response = client.post(
        "/account/password",
        data={
            "current_password": alice.password,
            "new_password": "a-brand-new-password",
            "confirm": "a-brand-new-password",
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )
    assert response.status_code == 302
    assert other.get("/").status_code == 302
    assert _post_login(client, alice.username, "a-brand-new-password") == 302


def test_a_wrong_current_password_is_shown_next_to_the_field(
    sign_in_as: object, client: FlaskClient
) -> None:
    sign_in_as(Role.AGENT)  # type: ignore[operator]
    response = client.post(
        "/account/password",
        data={
            "current_password": "not-my-password",
            "new_password": "a-brand-new-password",
            "confirm": "a-brand-new-password",
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )
    assert response.status_code == 422
    assert 'id="current_password-errors"' in response.get_data(as_text=True)


def test_next_redirects_only_to_local_paths(
    client: FlaskClient, users: dict[Role, DemoUser]
) -> None:
    ada = users[Role.ADMIN]
    for hostile in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        client.post("/logout", data={"csrf_token": csrf_token(client, "/login")})
        response = client.post(
            "/login?next=" + hostile,
            data={
                "username": ada.username,
                "password": ada.password,
                "csrf_token": csrf_token(client),
            },
        )
        assert response.headers["Location"] == "/", hostile
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    response = client.post(
        "/login?next=/admin/tokens",
        data={"username": ada.username, "password": ada.password, "csrf_token": csrf_token(client)},
    )
    assert response.headers["Location"] == "/admin/tokens"


def test_repeated_failed_sign_ins_are_throttled(
    client: FlaskClient, users: dict[Role, DemoUser]
) -> None:
    statuses = [_post_login(client, "alice", f"wrong-password-{i}") for i in range(5)]
    assert statuses == [401] * 5
    alice = users[Role.AGENT]
    response = client.post(
        "/login",
        data={"username": "alice", "password": alice.password, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in response.get_data(as_text=True)


def test_a_form_without_a_csrf_token_is_refused_and_writes_nothing(
    client: FlaskClient, sign_in_as: object, count_rows: Callable[[type[Any]], int]
) -> None:
    sign_in_as(Role.ADMIN)  # type: ignore[operator]
    users_before, audit_before = count_rows(User), count_rows(AuditEntry)
    response = client.post(
        "/admin/users",
        data={"username": "mallory", "role": "admin", "password": "long-enough-password"},
    )
    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)
    assert count_rows(User) == users_before
    assert count_rows(AuditEntry) == audit_before


def test_pages_carry_security_headers(client: FlaskClient) -> None:
    headers = client.get("/login").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_error_pages_are_pages_for_people(client: FlaskClient, sign_in_as: object) -> None:
    sign_in_as(Role.AGENT)  # type: ignore[operator]
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert missing.mimetype == "text/html"
    assert "There is nothing at this address." in missing.get_data(as_text=True)
    forbidden = client.get("/admin/users")
    assert forbidden.status_code == 403
    assert "Your role does not give you access" in forbidden.get_data(as_text=True)


def test_admin_creates_a_user_who_can_then_sign_in(
    app: Flask, client: FlaskClient, sign_in_as: object
) -> None:
    sign_in_as(Role.ADMIN)  # type: ignore[operator]
    response = client.post(
        "/admin/users",
        data={
            "username": "charlie",
            "display_name": "Charlie",
            "role": "agent",
            "password": "charlies-password",
            "csrf_token": csrf_token(client, "/admin/users"),
        },
    )
    assert response.status_code == 302
    fresh = https_client(app)
    assert _post_login(fresh, "charlie", "charlies-password") == 302


def test_a_user_form_with_errors_re_renders_with_field_errors(
    client: FlaskClient, sign_in_as: object
) -> None:
    sign_in_as(Role.ADMIN)  # type: ignore[operator]
    response = client.post(
        "/admin/users",
        data={
            "username": "Bad Name!",
            "role": "agent",
            "password": "long-enough-password",
            "csrf_token": csrf_token(client, "/admin/users"),
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="username-errors"' in page
    assert 'value="Bad Name!"' in page


def test_a_new_token_is_shown_once_then_only_its_prefix(
    client: FlaskClient, sign_in_as: object
) -> None:
    sign_in_as(Role.ADMIN)  # type: ignore[operator]
    created = client.post(
        "/admin/tokens",
        data={
            "name": "zendesk",
            "role": "agent",
            "csrf_token": csrf_token(client, "/admin/tokens"),
        },
    )
    assert created.status_code == 201
    page = created.get_data(as_text=True)
    secret = page.split('<code id="new-token">')[1].split("</code>")[0]
    assert secret.startswith("tdm_")
    assert secret not in client.get("/admin/tokens").get_data(as_text=True)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json == {
        "name": "zendesk",
        "role": "agent",
    }
