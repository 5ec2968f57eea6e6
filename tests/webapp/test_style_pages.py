"""Brand owner pages: versions, editors with inline errors, preview, publish, diff, roll back."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kb.audit import AuditLog
from kb.users import Role
from styleguide.versions import StyleCardService, StyleCardVersion
from tests.conftest import csrf_token
from tests.styleguide.conftest import MINIMAL, demo_text, regex_card
from webapp.context import tandem


@pytest.fixture
def brand_owner(sign_in_as: Callable[[Role], FlaskClient], app: Flask) -> FlaskClient:
    with tandem(app).database.transaction() as s:
        StyleCardService(s).import_card(demo_text(), actor="bea", publish=True)
    return sign_in_as(Role.BRAND_OWNER)


def _yaml_form(client: FlaskClient, text: str, action: str = "save", **extra: str) -> Any:
    data = {"csrf_token": csrf_token(client, "/style/edit/yaml"), "base": "1", "yaml": text}
    data.update({action: action}, **extra)
    return client.post("/style/edit/yaml", data=data)


def test_the_versions_page_lists_the_current_card(brand_owner: FlaskClient) -> None:
    page = brand_owner.get("/style/").get_data(as_text=True)
    assert "Version 1 is current" in page
    assert "published" in page


@pytest.mark.parametrize("role", [Role.AGENT, Role.KNOWLEDGE_MANAGER])
def test_other_roles_cannot_reach_the_editor(
    sign_in_as: Callable[[Role], FlaskClient], role: Role
) -> None:
    client = sign_in_as(role)
    assert client.get("/style/edit").status_code == 403
    assert client.get("/style/edit/yaml").status_code == 403


@pytest.mark.parametrize(
    ("card", "shown"),
    [
        (MINIMAL + "  - id: [unclosed\n", "Line 11"),
        (
            MINIMAL.replace("pattern: unfortunately", 'pattern: "(x"\n    regex: true'),
            "banned_phrases.0.pattern: Invalid regular expression",
        ),
        (
            MINIMAL.replace("    severity: warning", "    severity: warning\n    colour: red"),
            "banned_phrases.0.colour: Unknown field.",
        ),
        (
            regex_card(r"(a+)+$", good="Thanks.", bad="aaa"),
            "banned_phrases.1.pattern: This pattern can take too long on some text: on ",
        ),
    ],
    ids=["malformed-yaml", "invalid-regex", "unknown-key", "catastrophic-regex"],
)
def test_the_yaml_editor_shows_field_errors_and_saves_nothing(
    brand_owner: FlaskClient, count_rows: Callable[[type[Any]], int], card: str, shown: str
) -> None:
    response = _yaml_form(brand_owner, card)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert shown in page
    assert 'aria-invalid="true"' in page
    assert count_rows(StyleCardVersion) == 1


def test_the_form_editor_shows_a_bad_regex_next_to_its_row(
    brand_owner: FlaskClient, count_rows: Callable[[type[Any]], int]
) -> None:
    page = brand_owner.get("/style/edit").get_data(as_text=True)
    assert 'value="ban-unfortunately"' in page
    data = {
        "csrf_token": csrf_token(brand_owner, "/style/edit"),
        "base": "1",
        "effective_week": "2026-W49",
        "banned-0-original": "ban-unfortunately",
        "banned-0-id": "ban-unfortunately",
        "banned-0-pattern": "(unclosed",
        "banned-0-regex": "y",
        "banned-0-severity": "warning",
        "banned-0-message": "Skip it.",
        "banned-0-good": "Fine.",
        "banned-0-bad": "Unfortunately, no.",
        "save": "Save draft",
    }
    response = brand_owner.post("/style/edit", data=data)
    assert response.status_code == 422
    assert "Invalid regular expression" in response.get_data(as_text=True)
    assert count_rows(StyleCardVersion) == 1


def test_the_form_editor_refuses_a_pattern_that_can_run_for_minutes_on_its_row(
    brand_owner: FlaskClient, count_rows: Callable[[type[Any]], int]
) -> None:
    data = {
        "csrf_token": csrf_token(brand_owner, "/style/edit"),
        "base": "1",
        "effective_week": "2026-W49",
        "banned-0-original": "ban-unfortunately",
        "banned-0-id": "ban-unfortunately",
        "banned-0-pattern": r"(\w+\s?)*:",
        "banned-0-regex": "y",
        "banned-0-severity": "warning",
        "banned-0-message": "Skip it.",
        "banned-0-good": "Fine.",
        "banned-0-bad": "Note:",
        "save": "Save draft",
    }
    response = brand_owner.post("/style/edit", data=data)
    assert response.status_code == 422
    row_error = re.search(
        r'<td class="invalid">\s*<input[^>]*name="banned-0-pattern"[^>]*>\s*'
        r'<ul class="errors"><li>(This pattern can take too long on some text: [^<]*)</li>',
        response.get_data(as_text=True),
    )
    assert row_error, "the error is not shown in the pattern's cell"
    assert "(a+)+" in html.unescape(row_error.group(1))
    assert count_rows(StyleCardVersion) == 1


def test_preview_counts_the_sample_replies_that_would_newly_fail(brand_owner: FlaskClient) -> None:
    stricter = demo_text().replace(
        "  - id: ban-kindly",
        "  - id: ban-thanks\n    pattern: thank you\n    message: Say thanks.\n"
        '    severity: error\n    examples:\n      good: ["Thanks for waiting."]\n'
        '      bad: ["Thank you for waiting."]\n  - id: ban-kindly',
    )
    response = _yaml_form(
        brand_owner, stricter, "preview", sample="Thank you, Dana.", sample_channel="chat"
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    page = response.get_data(as_text=True)
    assert "would newly fail" in page
    assert "pasted" in page
    assert "ban-thanks" in page


def test_a_draft_is_published_then_shown_as_a_diff_and_rolled_back(
    brand_owner: FlaskClient, app: Flask
) -> None:
    edited = demo_text().replace('pattern: "unfortunately"', 'pattern: "regrettably"')
    edited = edited.replace('bad: ["Unfortunately, monthly', 'bad: ["Regrettably, monthly')
    saved = _yaml_form(brand_owner, edited, note="Regrettably, too")
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith("/style/versions/2")
    version_page = brand_owner.get("/style/versions/2").get_data(as_text=True)
    assert "Publish version 2" in version_page
    assert "sample replies" in version_page
    published = brand_owner.post(
        "/style/versions/2/publish",
        data={"csrf_token": csrf_token(brand_owner, "/style/versions/2"), "expected_current": "1"},
    )
    assert published.status_code == 302
    diff = brand_owner.get(published.headers["Location"]).get_data(as_text=True)
    assert "Changes from version 1 to version 2" in diff
    assert "ban-unfortunately" in diff
    assert "regrettably" in diff
    rolled = brand_owner.post(
        "/style/versions/1/rollback",
        data={"csrf_token": csrf_token(brand_owner, "/style/"), "expected_current": "2"},
    )
    assert rolled.status_code == 302
    with tandem(app).database.transaction() as s:
        current = StyleCardService(s).current_version()
        assert current is not None
        assert (current.number, current.rollback_of) == (3, 1)


def test_a_stale_publish_page_gets_409_and_both_attempts_are_audited(
    brand_owner: FlaskClient, app: Flask
) -> None:
    for note in ("mine", "theirs"):
        assert _yaml_form(brand_owner, MINIMAL, note=note).status_code == 302
    token = csrf_token(brand_owner, "/style/versions/2")
    form = {"csrf_token": token, "expected_current": "1"}
    assert brand_owner.post("/style/versions/3/publish", data=form).status_code == 302
    stale = brand_owner.post("/style/versions/2/publish", data=form)
    assert stale.status_code == 409
    assert "Reload" in stale.get_data(as_text=True)
    with tandem(app).database.transaction() as s:
        actions = [e.action for e in AuditLog(s).entries(limit=2)]
        assert actions == ["style.publish_refused", "style.publish"]
        current = StyleCardService(s).current_version()
        assert current is not None
        assert current.number == 3
