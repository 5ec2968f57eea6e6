"""Card versions in SQL: draft → published → superseded, exactly one current, audited.

Version numbers count every saved card, drafts included. A one-row ``style_card_head`` table
holds the last number handed out and the current version; publishing locks that row (``FOR
UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) and goes ahead only if the current
version is still the one the publisher saw (optimistic locking), so two brand owners publishing
at once end with one current card and one ``StaleCard`` (409) whose attempt is audited too.
A partial unique index allows one ``published`` row at most, in case code ever forgets this.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.audit import AuditLog
from kb.database import Base, UTCDateTime, utcnow
from kb.errors import Conflict, InvalidInput, NotFound
from styleguide.card import BaseLoader, CompiledCard, compiled, packaged_base, parse_yaml
from styleguide.checker import ValidCard, validate
from styleguide.metadata import stamp

DRAFT, PUBLISHED, SUPERSEDED = "draft", "published", "superseded"
MAX_NOTE = 2000


class StyleCardVersion(Base):
    """One saved card: its YAML as written (stamped), the resolved rules, who, when and why."""

    __tablename__ = "style_card_versions"
    __table_args__ = (
        Index(
            "uq_style_card_versions_one_published",
            "status",
            unique=True,
            sqlite_where=text("status = 'published'"),
            postgresql_where=text("status = 'published'"),
        ),
    )

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16), index=True)
    content: Mapped[str] = mapped_column(Text)
    resolved: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    effective_week: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    based_on: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rollback_of: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    published_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def resolved_card(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.resolved)
        return loaded


class StyleCardHead(Base):
    """The single row naming the last version number used and the current version (0: none)."""

    __tablename__ = "style_card_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
    current_number: Mapped[int] = mapped_column(Integer, default=0)


class StaleCard(Conflict):
    """Someone published another version after the publisher loaded the page; reload."""

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(
            f"Version {current} was published after you loaded version {expected}. "
            "Reload to see it, then publish again."
        )
        self.expected = expected
        self.current = current


class StyleCardService:
    """Saves, publishes, rolls back and reads card versions, in the caller's transaction."""

    def __init__(self, session: Session, *, bases: BaseLoader = packaged_base) -> None:
        self.session = session
        self.bases = bases
        self.audit = AuditLog(session)

    # --- reading ------------------------------------------------------------------------------

    def current(self) -> tuple[int, CompiledCard]:
        """The current version's number and compiled card (the drafting code's entry point)."""
        version = self.current_version()
        if version is None:
            raise NotFound("No style card has been published yet.")
        return version.number, self.compiled(version)

    def current_version(self) -> StyleCardVersion | None:
        return self.session.scalar(
            select(StyleCardVersion).where(StyleCardVersion.status == PUBLISHED)
        )

    def compiled(self, version: StyleCardVersion) -> CompiledCard:
        return compiled(lambda: version.resolved_card, version.content_hash)

    def get(self, number: int) -> StyleCardVersion:
        version = self.session.get(StyleCardVersion, number)
        if version is None:
            raise NotFound(f"There is no style card version {number}.")
        return version

    def versions(self) -> list[StyleCardVersion]:
        """Every version, newest first."""
        query = select(StyleCardVersion).order_by(StyleCardVersion.number.desc())
        return list(self.session.scalars(query))

    # --- writing ------------------------------------------------------------------------------

    def create_draft(
        self, content: str, *, actor: str, note: str | None = None, author: str | None = None
    ) -> StyleCardVersion:
        """Validate ``content`` (YAML) and save it as a new draft; InvalidInput saves nothing."""
        parse_yaml(content)  # syntax errors first, with the line numbers the author sees
        head = self._head()
        number = head.last_number + 1
        author = (author or actor)[:200]
        values: dict[str, object] = {"version": number, "author": author}
        if note is not None:
            values["note"] = self._note(note)
        content = stamp(content, values)
        card = validate(content, self.bases)
        note = card.resolved["meta"].get("note") or ""
        head.last_number = number
        version = StyleCardVersion(
            number=number,
            status=DRAFT,
            content=content,
            resolved=json.dumps(card.resolved, ensure_ascii=False),
            content_hash=card.digest,
            effective_week=card.resolved["meta"]["effective_week"],
            author=author,
            note=note,
            based_on=head.current_number or None,
        )
        self.session.add(version)
        self.session.flush()
        self.audit.append(
            actor=actor,
            action="style.draft",
            subject=f"style_card:{number}",
            data={"note": note, "based_on": version.based_on, "rules": len(card.resolved["rules"])},
        )
        return version

    def publish(
        self, number: int, *, expected_current: int, actor: str, note: str | None = None
    ) -> StyleCardVersion:
        """Make draft ``number`` current if ``expected_current`` still is; else StaleCard (409).

        A refused attempt is audited in the caller's transaction: commit it after the error.
        """
        head = self._head()
        if head.current_number != expected_current:
            self.audit.append(
                actor=actor,
                action="style.publish_refused",
                subject=f"style_card:{number}",
                data={"expected_current": expected_current, "current": head.current_number},
            )
            raise StaleCard(expected_current, head.current_number)
        version = self.get(number)
        if version.status != DRAFT:
            raise Conflict(f"Version {number} is {version.status}; only a draft can be published.")
        if note and note.strip() != version.note:
            self._restamp(version, note)
        previous = self.get(head.current_number) if head.current_number else None
        now = utcnow()
        if previous is not None:
            previous.status, previous.superseded_at = SUPERSEDED, now
            self.session.flush()  # free the one-published slot before taking it
        version.status, version.published_at, version.published_by = PUBLISHED, now, actor
        head.current_number = number
        self.session.flush()
        self.audit.append(
            actor=actor,
            action="style.publish",
            subject=f"style_card:{number}",
            data={
                "previous": previous.number if previous else None,
                "note": version.note,
                "rollback_of": version.rollback_of,
            },
        )
        return version

    def import_card(
        self,
        content: str,
        *,
        actor: str,
        publish: bool,
        note: str | None = None,
        author: str | None = None,
    ) -> StyleCardVersion:
        """Save ``content`` as a draft and, with ``publish``, make it current at once."""
        draft = self.create_draft(content, actor=actor, note=note, author=author)
        if not publish:
            return draft
        return self.publish(draft.number, expected_current=self._head().current_number, actor=actor)

    def rollback(
        self, number: int, *, expected_current: int, actor: str, note: str | None = None
    ) -> StyleCardVersion:
        """Publish version ``number``'s content again, as a new version."""
        source = self.get(number)
        if source.status == DRAFT:
            raise Conflict(f"Version {number} was never published; publish it instead.")
        if source.number == expected_current:
            raise Conflict(f"Version {number} is already the current card.")
        text = (note or "").strip() or f"Roll back to version {number}"
        draft = self.create_draft(source.content, actor=actor, note=text, author=actor)
        draft.rollback_of = number
        return self.publish(draft.number, expected_current=expected_current, actor=actor)

    # --- internals ----------------------------------------------------------------------------

    def _head(self) -> StyleCardHead:
        head = self.session.execute(
            select(StyleCardHead).where(StyleCardHead.id == 1).with_for_update()
        ).scalar_one_or_none()
        if head is None:
            # The migration inserts this row; this covers schemas made with create_all().
            head = StyleCardHead(id=1, last_number=0, current_number=0)
            self.session.add(head)
            self.session.flush()
        return head

    def _note(self, note: str | None) -> str:
        text = (note or "").strip()
        if len(text) > MAX_NOTE:
            raise InvalidInput(
                "The note is too long.", {"note": [f"At most {MAX_NOTE} characters."]}
            )
        return text

    def _restamp(self, version: StyleCardVersion, note: str) -> None:
        note = self._note(note)
        content = stamp(version.content, {"note": note})
        card: ValidCard = validate(content, self.bases)
        version.content, version.note = content, note
        version.resolved = json.dumps(card.resolved, ensure_ascii=False)
        version.content_hash = card.digest
