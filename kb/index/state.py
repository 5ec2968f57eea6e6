"""What the index was built with, recorded in SQL so a mismatched model is refused, not mixed."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.database import Base
from kb.errors import IndexUnavailable


class IndexSetting(Base):
    """One recorded fact about the index (its dense model and dimension, its backend)."""

    __tablename__ = "index_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(300))


def check_or_record(session: Session, *, model: str, dim: int) -> None:
    """Record the model on first use; refuse to use an index built with another model."""
    wanted = f"{model}/{dim}"
    row = session.get(IndexSetting, "dense_model")
    if row is None:
        session.add(IndexSetting(key="dense_model", value=wanted))
        return
    if row.value != wanted:
        raise IndexUnavailable(
            f"The index was built with the embedding model {row.value}, but embedding_model is "
            f"set to {wanted}. Set TANDEM_EMBEDDING_MODEL back, or run `tandem index rebuild` to "
            "re-embed everything with the new model."
        )


def record(session: Session, *, model: str, dim: int) -> None:
    """After a rebuild: the index now holds this model's vectors."""
    row = session.get(IndexSetting, "dense_model")
    value = f"{model}/{dim}"
    if row is None:
        session.add(IndexSetting(key="dense_model", value=value))
    else:
        row.value = value
