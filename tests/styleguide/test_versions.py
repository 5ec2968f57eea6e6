"""Card versions on SQLite and PostgreSQL: draft → published → superseded, one current, audited."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.audit import AuditLog
from kb.database import Database
from kb.errors import Conflict, InvalidInput, NotFound
from styleguide.checker import check
from styleguide.demo import seed_demo_card
from styleguide.diff import diff_versions
from styleguide.versions import StaleCard, StyleCardService, StyleCardVersion
from tests.styleguide.conftest import MINIMAL

KINDLY = (
    MINIMAL
    + """\
  - id: ban-kindly
    pattern: kindly
    message: Say please.
    severity: suggestion
    examples:
      good: ["Please send the number."]
      bad: ["Kindly send the number."]
"""
)


def _published(session: Session) -> int:
    query = select(func.count()).where(StyleCardVersion.status == "published")
    return session.scalar(query) or 0


def test_a_published_draft_becomes_current_and_supersedes_the_last(session: Session) -> None:
    service = StyleCardService(session)
    first = service.import_card(MINIMAL, actor="bea", publish=True, note="First card")
    draft = service.create_draft(KINDLY, actor="bea", note="Ban kindly")
    assert (draft.number, draft.status, draft.based_on) == (2, "draft", 1)
    service.publish(2, expected_current=1, actor="bea")
    assert (first.status, draft.status) == ("superseded", "published")
    assert first.superseded_at is not None
    assert draft.published_by == "bea"
    number, card = service.current()
    assert number == 2
    assert [f.rule for f in check(card, "Kindly send it.")] == ["ban-kindly"]
    assert _published(session) == 1


def test_the_service_writes_number_author_and_note_into_the_yaml(session: Session) -> None:
    text = "# Our card\n" + MINIMAL.replace(
        "effective_week", "version: 99\nnote: old\neffective_week"
    )
    version = StyleCardService(session).create_draft(text, actor="bea", note="Week 48")
    assert version.content.startswith("# Our card\n")  # comments survive
    assert "\nversion: 1\n" in version.content
    assert "version: 99" not in version.content
    assert 'note: "Week 48"' in version.content
    assert 'author: "bea"' in version.content
    assert (version.note, version.author) == ("Week 48", "bea")


def test_a_stale_publish_is_refused_and_both_attempts_are_audited(session: Session) -> None:
    service = StyleCardService(session)
    service.import_card(MINIMAL, actor="bea", publish=True)
    mine = service.create_draft(KINDLY, actor="bea")
    theirs = service.create_draft(MINIMAL, actor="ada")
    service.publish(theirs.number, expected_current=1, actor="ada")
    with pytest.raises(StaleCard) as caught:
        service.publish(mine.number, expected_current=1, actor="bea")
    assert (caught.value.expected, caught.value.current) == (1, theirs.number)
    assert isinstance(caught.value, Conflict)
    actions = [(e.actor, e.action) for e in AuditLog(session).entries(subject=None)][:2]
    assert actions == [("bea", "style.publish_refused"), ("ada", "style.publish")]
    assert mine.status == "draft"


def test_two_publishers_at_once_leave_exactly_one_current_card(database: Database) -> None:
    with database.transaction() as s:
        service = StyleCardService(s)
        service.import_card(MINIMAL, actor="bea", publish=True)
        drafts = [service.create_draft(KINDLY, actor=who).number for who in ("bea", "ada")]
    start, outcomes = threading.Barrier(2), []

    def publish(number: int, who: str) -> None:
        start.wait()
        with database.transaction() as s:
            try:
                StyleCardService(s).publish(number, expected_current=1, actor=who)
                outcomes.append("published")
            except StaleCard:
                outcomes.append("told to reload")  # the refusal's audit entry commits too

    threads = [
        threading.Thread(target=publish, args=args)
        for args in zip(drafts, ("bea", "ada"), strict=False)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["published", "told to reload"]
    with database.transaction() as s:
        assert _published(s) == 1
        audited = {e.action for e in AuditLog(s).entries(limit=2)}
        assert audited == {"style.publish", "style.publish_refused"}


def test_a_rollback_publishes_the_old_content_as_a_new_version(session: Session) -> None:
    service = StyleCardService(session)
    service.import_card(MINIMAL, actor="bea", publish=True)
    service.import_card(KINDLY, actor="bea", publish=True)
    restored = service.rollback(1, expected_current=2, actor="ada")
    assert (restored.number, restored.status, restored.rollback_of) == (3, "published", 1)
    assert restored.note == "Roll back to version 1"
    _, card = service.current()
    assert check(card, "Kindly send it.") == []
    with pytest.raises(Conflict):
        service.rollback(3, expected_current=3, actor="ada")


def test_an_invalid_card_saves_nothing(session: Session) -> None:
    service = StyleCardService(session)
    with pytest.raises(InvalidInput) as caught:
        service.create_draft(MINIMAL + "  colour: red\n", actor="bea")
    assert caught.value.errors
    assert service.versions() == []
    assert AuditLog(session).entries(action="style.draft") == []


def test_there_is_no_current_card_before_the_first_publish(session: Session) -> None:
    with pytest.raises(NotFound):
        StyleCardService(session).current()


def test_only_drafts_can_be_published(session: Session) -> None:
    service = StyleCardService(session)
    service.import_card(MINIMAL, actor="bea", publish=True)
    with pytest.raises(Conflict, match="only a draft"):
        service.publish(1, expected_current=1, actor="bea")


def test_the_diff_lists_changed_rules_and_text(session: Session) -> None:
    service = StyleCardService(session)
    old = service.import_card(MINIMAL, actor="bea", publish=True)
    sadly = KINDLY.replace("pattern: unfortunately", "pattern: sadly")
    new = service.create_draft(sadly.replace('bad: ["Unfortunately,', 'bad: ["Sadly,'), actor="bea")
    diff = diff_versions(old, new)
    changes = {(item.key, item.change) for item in diff.items}
    assert changes == {("ban-unfortunately", "changed"), ("ban-kindly", "added")}
    changed = next(item for item in diff.items if item.key == "ban-unfortunately")
    assert ("pattern", "unfortunately", "sadly") in [(f.name, f.old, f.new) for f in changed.fields]
    assert "+    pattern: sadly" in diff.text


def test_the_demo_card_is_seeded_once(session: Session) -> None:
    first = seed_demo_card(session, actor="tandem-demo")
    assert first is not None
    assert first.status == "published"
    assert seed_demo_card(session, actor="tandem-demo") is None
    assert StyleCardService(session).current()[0] == first.number
