"""The structured editor's translation: a card's YAML ↔ the form's fields, and errors back.

The form covers the rules brand owners change week to week (banned phrases, tone limits); every
other part of the card is carried over from the version being edited, untouched. Saving from the
form writes the YAML anew (comments are kept only when editing in the YAML view).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from styleguide.card import parse_yaml
from webapp.style_forms import BannedPhraseRow, CardForm

TONE = {
    "exclamation_max": ("exclamation_marks", "max"),
    "sentence_max_words": ("sentence_length", "max_words"),
    "readability_min": ("readability", "min_grade"),
    "readability_max": ("readability", "max_grade"),
    "emoji_email": ("emoji", "email"),
    "emoji_chat": ("emoji", "chat"),
}


def fill_card_form(form: CardForm, content: str, base: int) -> set[str]:
    """Put the card's values into an empty form; returns the tone fields the card has."""
    card = parse_yaml(content)
    form.base.data = str(base)
    form.effective_week.data = card.get("effective_week", "")
    for rule in card.get("banned_phrases") or []:
        examples = rule.get("examples") or {}
        form.banned.append_entry(
            {
                "original": rule["id"],
                "id": rule["id"],
                "pattern": rule.get("pattern", ""),
                "regex": bool(rule.get("regex")),
                "severity": rule.get("severity", "warning"),
                "message": rule.get("message", ""),
                "good": _first_text(examples.get("good")),
                "bad": _first_text(examples.get("bad")),
            }
        )
    form.banned.append_entry({})  # one empty row adds a phrase
    available = set()
    tone = card.get("tone") or {}
    for name, (rule, key) in TONE.items():
        if isinstance(tone.get(rule), Mapping) and key in tone[rule]:
            getattr(form, name).data = int(tone[rule][key])
            available.add(name)
    return available


def tone_fields(content: str) -> set[str]:
    tone = parse_yaml(content).get("tone") or {}
    return {name for name, (rule, key) in TONE.items() if key in (tone.get(rule) or {})}


def _first_text(examples: Any) -> str:
    if not examples:
        return ""
    first = examples[0]
    return str(first["text"] if isinstance(first, Mapping) else first)


def card_from_form(form: CardForm, content: str) -> tuple[str, dict[int, int]]:
    """The card's YAML with the form's values applied, and which form row each phrase is."""
    card = parse_yaml(content)
    card["effective_week"] = (form.effective_week.data or "").strip()
    existing = {rule["id"]: rule for rule in card.get("banned_phrases") or []}
    phrases: list[dict[str, Any]] = []
    rows: dict[int, int] = {}
    for index, entry in enumerate(form.banned.entries):
        row: BannedPhraseRow = entry.form
        if row.remove.data or row.is_blank:
            continue
        rows[len(phrases)] = index
        phrases.append(_phrase(row, existing.get(row.original.data or "")))
    card["banned_phrases"] = phrases
    tone = card.get("tone") or {}
    for name, (rule, key) in TONE.items():
        value = getattr(form, name).data
        if value is not None and isinstance(tone.get(rule), dict):
            tone[rule][key] = value
    text = yaml.safe_dump(card, sort_keys=False, allow_unicode=True, width=100)
    return text, rows


def _phrase(row: BannedPhraseRow, old: Mapping[str, Any] | None) -> dict[str, Any]:
    rule = dict(old or {})
    examples = dict(rule.get("examples") or {})
    rule.update(
        id=(row.id.data or "").strip(),
        pattern=row.pattern.data or "",
        regex=bool(row.regex.data),
        severity=row.severity.data,
        message=(row.message.data or "").strip(),
    )
    for kind, field in (("good", row.good), ("bad", row.bad)):
        text = (field.data or "").strip()
        rest = list(examples.get(kind) or [])[1:]
        examples[kind] = [text, *rest] if text else rest
    rule["examples"] = examples
    return rule


def attach_card_errors(
    form: CardForm, errors: Mapping[str, list[str]], rows: Mapping[int, int]
) -> None:
    """Show each card error next to its field; ones the form has no field for go above it."""
    for path, messages in errors.items():
        target = _field_for(form, path, rows)
        if target is None:
            form.form_errors.extend(f"{path}: {m}" for m in messages)
        else:
            target.errors = [*target.errors, *messages]


def _field_for(form: CardForm, path: str, rows: Mapping[int, int]) -> Any:
    if path in CardForm.TONE_FIELDS:
        return getattr(form, CardForm.TONE_FIELDS[path])
    head, _, rest = path.partition(".")
    if head != "banned_phrases":
        return None
    index, _, field = rest.partition(".")
    if not index.isdigit() or int(index) not in rows:
        return None
    row = form.banned.entries[rows[int(index)]].form
    name = CardForm.ROW_FIELDS.get(field)
    return getattr(row, name) if name else None
