"""The difference between two card versions: rule by rule, override by override, and as text."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from styleguide.layers import fields_of

Change = Literal["added", "removed", "changed"]


class Version(Protocol):
    number: int
    content: str

    @property
    def resolved_card(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class FieldChange:
    name: str
    old: str
    new: str


@dataclass(frozen=True)
class ItemChange:
    """One rule (by id), override layer (``overrides.tier.vip``) or setting that changed."""

    key: str
    kind: str  # the rule's section, "override" or "setting"
    change: Change
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class CardDiff:
    old: int
    new: int
    items: tuple[ItemChange, ...] = ()
    text: tuple[str, ...] = field(default=())

    @property
    def unchanged(self) -> bool:
        return not self.items and not self.text


def diff_versions(old: Version, new: Version) -> CardDiff:
    """What changed from ``old`` to ``new``."""
    before, after = old.resolved_card, new.resolved_card
    items = [*_settings(before, after), *_rules(before, after), *_overrides(before, after)]
    text = difflib.unified_diff(
        old.content.splitlines(),
        new.content.splitlines(),
        fromfile=f"version {old.number}",
        tofile=f"version {new.number}",
        lineterm="",
    )
    return CardDiff(old.number, new.number, tuple(items), tuple(text))


def _show(value: Any) -> str:
    return (
        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    )


def _field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    names = sorted(set(old) | set(new))
    return tuple(
        FieldChange(name, _show(old.get(name, "")), _show(new.get(name, "")))
        for name in names
        if old.get(name) != new.get(name)
    )


def _settings(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[ItemChange]:
    # version, author and note differ between any two versions by design; show the rest.
    keys = ("effective_week", "extends")
    old = {k: before["meta"].get(k) for k in keys} | {"ignore_scopes": before["ignore_scopes"]}
    new = {k: after["meta"].get(k) for k in keys} | {"ignore_scopes": after["ignore_scopes"]}
    old["voice"], new["voice"] = before["voice"], after["voice"]
    changed = _field_changes(old, new)
    return [ItemChange("card", "setting", "changed", changed)] if changed else []


def _rules(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[ItemChange]:
    old = {spec["id"]: spec for spec in before["rules"]}
    new = {spec["id"]: spec for spec in after["rules"]}
    items = []
    for rule_id in [*old, *(r for r in new if r not in old)]:
        if rule_id not in new:
            items.append(ItemChange(rule_id, old[rule_id]["section"], "removed"))
        elif rule_id not in old:
            items.append(ItemChange(rule_id, new[rule_id]["section"], "added"))
        else:
            changed = _field_changes(fields_of(old[rule_id]), fields_of(new[rule_id]))
            if changed:
                items.append(ItemChange(rule_id, new[rule_id]["section"], "changed", changed))
    return items


def _overrides(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[ItemChange]:
    items = []
    for kind in ("channel", "tier"):
        old, new = before["overrides"][kind], after["overrides"][kind]
        for name in sorted(set(old) | set(new)):
            key = f"overrides.{kind}.{name}"
            if name not in new:
                items.append(ItemChange(key, "override", "removed"))
            elif name not in old:
                items.append(ItemChange(key, "override", "added"))
            elif _layers(old[name]) != _layers(new[name]):
                changed = _field_changes(_layers(old[name])[-1], _layers(new[name])[-1])
                items.append(ItemChange(key, "override", "changed", changed))
    return items


def _layers(layers: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Layers without where they were written; added rules by id with their fields."""
    return [
        {
            "remove": layer["remove"],
            "replace": layer["replace"],
            "set": layer["set"],
            "add": {spec["id"]: fields_of(spec) for spec in layer["add"]},
        }
        for layer in layers
    ]
