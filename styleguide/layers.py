"""Rules as specs (validated mappings), and the explicit changes a layer makes to them.

A spec is a rule's validated fields plus ``section`` (which rule type) and ``path`` (where it
was written, for error messages). ``extends`` and each channel or tier override are layers: they
``remove`` rules, ``replace`` a rule whole, ``set`` some of its fields, or ``add`` new ones, all
by rule id, and a change naming a rule that is not there is an error, never a silent no-op.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import ValidationError

from styleguide.rules import BY_SECTION, RULE_TYPES

Spec = dict[str, Any]
Errors = defaultdict[str, list[str]]
META_KEYS = ("section", "path")


def new_errors() -> Errors:
    return defaultdict(list)


def join(*parts: object) -> str:
    return ".".join(str(p) for p in parts if p != "")


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Marshmallow's nested messages as ``{"banned_phrases.0.pattern": ["..."]}``."""
    if isinstance(messages, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            flat.update(flatten(value, join(prefix, key)))
        return flat
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "card": list(messages)}
    return {prefix or "card": [str(messages)]}


def specs_from_sections(sections: Mapping[str, Any], at: str, errors: Errors) -> list[Spec]:
    """Every rule written in ``sections`` (a card or a layer's ``add``), ids checked unique."""
    specs: list[Spec] = []
    for rule_type in RULE_TYPES:
        head, _, tail = rule_type.section.partition(".")
        value = sections.get(head)
        if tail and isinstance(value, Mapping):
            value = value.get(tail)
        if value is None:
            continue
        items = value if rule_type.many else [value]
        for index, item in enumerate(items):
            path = join(at, rule_type.section, index if rule_type.many else "")
            specs.append({"section": rule_type.section, "path": path, **item})
    first_seen: dict[str, str] = {}
    for spec in specs:
        if spec["id"] in first_seen:
            errors[join(spec["path"], "id")].append(
                f"The id {spec['id']} is already used at {first_seen[spec['id']]}."
            )
        first_seen.setdefault(spec["id"], spec["path"])
    return specs


def fields_of(spec: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in spec.items() if k not in META_KEYS}


def load_rule(section: str, data: Mapping[str, Any], path: str, errors: Errors) -> Spec | None:
    """Validate a rule's fields with its type's schema; errors are filed under ``path``."""
    try:
        loaded: dict[str, Any] = BY_SECTION[section].schema().load(dict(data))
    except ValidationError as exc:
        for field, messages in flatten(exc.messages, path).items():
            errors[field].extend(messages)
        return None
    return {"section": section, "path": path, **loaded}


def apply_layer(
    rules: Mapping[str, Spec], layer: Mapping[str, Any], errors: Errors
) -> dict[str, Spec]:
    """``rules`` (by id) after the layer's remove, replace, set and add, in that order."""
    at = layer.get("at", "")
    result = dict(rules)
    for index, rule_id in enumerate(layer.get("remove") or ()):
        if result.pop(rule_id, None) is None:
            errors[join(at, "remove", index)].append(f"There is no rule {rule_id} to remove.")
    for rule_id, fields in (layer.get("replace") or {}).items():
        _change(result, rule_id, fields, join(at, "replace", rule_id), errors, whole=True)
    for rule_id, fields in (layer.get("set") or {}).items():
        _change(result, rule_id, fields, join(at, "set", rule_id), errors, whole=False)
    for spec in layer.get("add") or ():
        if spec["id"] in result:
            errors[join(spec["path"], "id")].append(
                f"A rule {spec['id']} already exists; use replace or set to change it."
            )
        else:
            result[spec["id"]] = spec
    return result


def _change(
    rules: dict[str, Spec],
    rule_id: str,
    fields: Mapping[str, Any],
    path: str,
    errors: Errors,
    *,
    whole: bool,
) -> None:
    old = rules.get(rule_id)
    if old is None:
        verb = "replace" if whole else "change"
        errors[path].append(f"There is no rule {rule_id} to {verb}.")
        return
    if fields.get("id", rule_id) != rule_id:
        errors[join(path, "id")].append("A rule's id cannot be changed; remove it and add one.")
        return
    data = {**fields, "id": rule_id} if whole else {**fields_of(old), **fields}
    loaded = load_rule(old["section"], data, path, errors)
    if loaded is not None:
        rules[rule_id] = loaded


def by_id(specs: Iterable[Spec]) -> dict[str, Spec]:
    return {spec["id"]: spec for spec in specs}
