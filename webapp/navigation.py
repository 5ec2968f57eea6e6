"""The navigation bar: each link shown only to roles its route admits."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request
from flask_login import current_user

from webapp.access import allows, rule_for


@dataclass(frozen=True)
class NavLink:
    endpoint: str
    label: str
    active: bool


LINKS = (
    ("dashboard.home", "Home"),
    ("dashboard.agent", "Agent desk"),
    ("review.index", "Knowledge refresh"),
    ("style.index", "Style card"),
    ("admin.knowledge", "Knowledge"),
    ("admin.users", "Users"),
    ("admin.tokens", "API tokens"),
    ("admin.audit", "Audit log"),
)


def navigation(app: Flask) -> list[NavLink]:
    if not current_user.is_authenticated:
        return []
    links = []
    for endpoint, label in LINKS:
        rule = rule_for(app.view_functions[endpoint])
        if rule is not None and allows(rule, current_user.role):
            links.append(NavLink(endpoint, label, request.endpoint == endpoint))
    return links
