"""The demo company's card, ``config/style_card.yaml``, published once when there is none."""

from __future__ import annotations

from importlib import resources

from sqlalchemy.orm import Session

from styleguide.versions import StyleCardService, StyleCardVersion


def demo_card_text() -> str:
    return resources.files("config").joinpath("style_card.yaml").read_text("utf-8")


def seed_demo_card(session: Session, *, actor: str) -> StyleCardVersion | None:
    """Import and publish the demo card if no version exists yet; None when there was one."""
    service = StyleCardService(session)
    if service.versions():
        return None
    return service.import_card(
        demo_card_text(), actor=actor, publish=True, note="Demo card for Fernhill", author=actor
    )
