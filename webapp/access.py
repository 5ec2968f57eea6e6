"""Who may reach which route: every view declares its rule, and start-up refuses one without.

A view is ``public`` (anyone), ``signed_in`` (any role), or limited to named roles. The rule is
checked before the view runs; for API routes the caller is the bearer token, for pages the
signed-in user. The role-matrix test walks the URL map, so a route added without a rule fails
at start-up and one with the wrong rule fails the suite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Flask

from kb.users import Role

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"
SIGNED_IN = "signed_in"
ALL_ROLES = frozenset(Role)


def public(view: F) -> F:
    """Anyone may open this route, signed in or not."""
    view.access = PUBLIC  # type: ignore[attr-defined]
    return view


def signed_in(view: F) -> F:
    """Any signed-in user (or, for the API, any valid token) may open this route."""
    view.access = SIGNED_IN  # type: ignore[attr-defined]
    return view


def roles(*allowed: Role) -> Callable[[F], F]:
    """Only these roles may open this route."""

    def mark(view: F) -> F:
        view.access = frozenset(allowed)  # type: ignore[attr-defined]
        return view

    return mark


def rule_for(view: Callable[..., Any]) -> str | frozenset[Role] | None:
    rule: str | frozenset[Role] | None = getattr(view, "access", None)
    return rule


def allows(rule: str | frozenset[Role], role: Role | None) -> bool:
    if rule == PUBLIC:
        return True
    if role is None:
        return False
    return rule == SIGNED_IN or (isinstance(rule, frozenset) and role in rule)


def check_every_view_has_a_rule(app: Flask, exempt: Iterable[str] = ("static",)) -> None:
    missing = sorted(
        name
        for name, view in app.view_functions.items()
        if name not in exempt and rule_for(view) is None
    )
    if missing:
        raise RuntimeError(f"routes without an access rule: {', '.join(missing)}")
