"""What a request needs from the app: settings, the database, and a request-scoped session."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from kb.database import Database
from kb.settings import Settings


@dataclass
class Tandem:
    """The app's long-lived services, built once by ``create_app``."""

    settings: Settings
    database: Database


def tandem(app: Flask | None = None) -> Tandem:
    found: Tandem = (app or current_app).extensions["tandem"]
    return found


def db() -> Session:
    """The request's database session; views commit explicitly, teardown rolls back the rest."""
    if "db_session" not in g:
        g.db_session = tandem().database.sessions()
    session: Session = g.db_session
    return session


def close_db(_exc: BaseException | None = None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
