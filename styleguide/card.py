"""Reading a card: YAML → validated mapping → resolved card (``extends`` applied) → compiled card.

The resolved card is plain JSON (stored with each version, so a version never changes meaning
when a base card file does). ``CompiledCard`` compiles it once for every channel × tier, with
the overrides applied, so a check only looks up its tuple of rules. ``compiled`` keeps recent
cards by content hash, so the current card is compiled once per process, not once per check.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any

import yaml
from marshmallow import ValidationError

from kb.errors import InvalidInput
from styleguide.findings import CHANNELS, TIERS
from styleguide.layers import (
    Errors,
    Spec,
    apply_layer,
    by_id,
    flatten,
    join,
    new_errors,
    specs_from_sections,
)
from styleguide.rules import BY_SECTION, Rule
from styleguide.schema import CardSchema
from styleguide.scopes import SCOPES

MAX_CARD_BYTES = 512_000
MAX_EXTENDS_DEPTH = 3
BaseLoader = Callable[[str], str]


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys; a card with two ``banned_phrases:`` is an error."""


def _mapping_without_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} appears twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def packaged_base(name: str) -> str:
    """A base card shipped in ``config/style_bases/NAME.yaml``; KeyError if there is none."""
    found = resources.files("config").joinpath("style_bases", f"{name}.yaml")
    if not found.is_file():
        raise KeyError(name)
    return found.read_text("utf-8")


def parse_yaml(text: str) -> dict[str, Any]:
    """The card's YAML as a mapping; a syntax error is reported on the field ``yaml``."""
    if len(text.encode("utf-8")) > MAX_CARD_BYTES:
        raise InvalidInput("The card is too large.", {"yaml": [f"At most {MAX_CARD_BYTES} bytes."]})
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506  (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        raise InvalidInput("The card is not valid YAML.", {"yaml": [_yaml_message(exc)]}) from exc
    if not isinstance(data, dict):
        raise InvalidInput(
            "The card must be a YAML mapping.", {"yaml": ["Expected key: value pairs."]}
        )
    return data


def _yaml_message(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is None:
        return str(problem)
    return f"Line {mark.line + 1}, column {mark.column + 1}: {problem}."


def resolve(text: str, bases: BaseLoader = packaged_base) -> dict[str, Any]:
    """The card as JSON-ready data with its base merged in; InvalidInput lists every error."""
    errors = new_errors()
    resolved = _resolve(parse_yaml(text), bases, errors, (), "")
    if errors:
        raise InvalidInput("The style card has errors.", errors)
    return resolved


def _resolve(
    raw: Mapping[str, Any], bases: BaseLoader, errors: Errors, seen: tuple[str, ...], at: str
) -> dict[str, Any]:
    try:
        card: dict[str, Any] = CardSchema().load(raw)
    except ValidationError as exc:
        for field, messages in flatten(exc.messages, at).items():
            errors[field].extend(messages)
        return {}
    own = specs_from_sections(card, at, errors)
    base = _base(card, bases, errors, seen, at) if "extends" in card else {}
    # Changes to a base that could not be read would only repeat that one error.
    changes = base or "extends" not in card
    layer = {
        "at": at,
        "remove": card.get("remove", []) if changes else [],
        "replace": card.get("replace", {}) if changes else {},
        "set": card.get("set", {}) if changes else {},
        "add": own,
    }
    rules = apply_layer(by_id(base.get("rules", [])), layer, errors)
    return {
        "meta": {key: card.get(key) for key in ("version", "effective_week", "author", "note")}
        | {"extends": card.get("extends")},
        "voice": card.get("voice") or base.get("voice") or {},
        "ignore_scopes": card.get("ignore_scopes", base.get("ignore_scopes", list(SCOPES))),
        "rules": list(rules.values()),
        "overrides": _overrides(base.get("overrides", {}), card.get("overrides") or {}, at, errors),
    }


def _base(
    card: Mapping[str, Any], bases: BaseLoader, errors: Errors, seen: tuple[str, ...], at: str
) -> dict[str, Any]:
    name = card["extends"]
    where = join(at, "extends")
    if name in seen or len(seen) >= MAX_EXTENDS_DEPTH:
        errors[where].append(f"The base card {name} extends itself or nests too deep.")
        return {}
    try:
        text = bases(name)
        raw = parse_yaml(text)
    except KeyError:
        errors[where].append(f"There is no base card called {name}.")
        return {}
    except InvalidInput as exc:
        errors[where].extend(f"{name}: {m}" for messages in exc.errors.values() for m in messages)
        return {}
    return _resolve(raw, bases, errors, (*seen, name), f"extends({name})")


def _overrides(
    inherited: Mapping[str, Any], own: Mapping[str, Any], at: str, errors: Errors
) -> dict[str, Any]:
    """Each context's layers, the base card's first: {"channel": {"chat": [layer, …]}, …}."""
    merged: dict[str, Any] = {"channel": {}, "tier": {}}
    for kind in ("channel", "tier"):
        for name, layers in (inherited.get(kind) or {}).items():
            merged[kind][name] = list(layers)
        for name, layer in (own.get(kind) or {}).items():
            where = join(at, "overrides", kind, name)
            adds = specs_from_sections(layer.get("add") or {}, join(where, "add"), errors)
            entry = {
                "at": where,
                "remove": layer["remove"],
                "replace": layer["replace"],
                "set": layer["set"],
                "add": adds,
            }
            merged[kind].setdefault(name, []).append(entry)
    return merged


class CompiledCard:
    """A resolved card compiled for every channel and tier; build it with ``compile_card``."""

    def __init__(self, resolved: Mapping[str, Any]) -> None:
        self.resolved = resolved
        self.meta: Mapping[str, Any] = resolved["meta"]
        self.ignore_scopes = tuple(resolved["ignore_scopes"])
        self.base_specs = by_id(resolved["rules"])
        self.context_specs: dict[tuple[str, str], dict[str, Spec]] = {}
        self._rules: dict[tuple[str, str], tuple[Rule, ...]] = {}
        self._by_id: dict[tuple[str, str], dict[str, Rule]] = {}
        errors = new_errors()
        built: dict[int, Rule] = {}  # a spec no override touched compiles once for all contexts
        for channel in CHANNELS:
            for tier in TIERS:
                specs = self._apply_overrides(channel, tier, errors)
                self.context_specs[(channel, tier)] = specs
                rules = []
                for spec in specs.values():
                    if id(spec) not in built:
                        built[id(spec)] = BY_SECTION[spec["section"]].rule.build(spec)
                    rules.append(built[id(spec)])
                self._rules[(channel, tier)] = tuple(rules)
                self._by_id[(channel, tier)] = {rule.id: rule for rule in rules}
        if errors:
            # A layer is applied for each context it covers; report each problem once.
            unique = {path: list(dict.fromkeys(messages)) for path, messages in errors.items()}
            raise InvalidInput("The style card's overrides have errors.", unique)

    def _apply_overrides(self, channel: str, tier: str, errors: Errors) -> dict[str, Spec]:
        # Channel first, then tier: a VIP rule wins over a chat rule when both change it.
        specs = self.base_specs
        overrides = self.resolved["overrides"]
        for layer in overrides["channel"].get(channel, []) + overrides["tier"].get(tier, []):
            specs = apply_layer(specs, layer, errors)
        return specs

    def rules_for(self, channel: str, tier: str) -> tuple[Rule, ...]:
        try:
            return self._rules[(channel, tier)]
        except KeyError:
            raise InvalidInput(
                "Unknown channel or tier.",
                {
                    "channel": [f"One of {', '.join(CHANNELS)}."],
                    "tier": [f"One of {', '.join(TIERS)}."],
                },
            ) from None

    def rule(self, channel: str, tier: str, rule_id: str) -> Rule | None:
        return self._by_id[(channel, tier)].get(rule_id)

    def layer_specs(self) -> list[tuple[Spec, str, str]]:
        """Specs written inside override layers, with the channel and tier they apply to."""
        found: list[tuple[Spec, str, str]] = []
        for kind, default in (("channel", ("email", "standard")), ("tier", ("email", "standard"))):
            for name, layers in self.resolved["overrides"][kind].items():
                channel, tier = (name, default[1]) if kind == "channel" else (default[0], name)
                for layer in layers:
                    specs = [*layer["add"]]
                    specs += [self.context_specs[(channel, tier)].get(r) for r in layer["replace"]]
                    found.extend((s, channel, tier) for s in specs if s is not None)
        return found


def content_hash(resolved: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(resolved).encode("utf-8")).hexdigest()


def canonical_json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_CACHE: OrderedDict[str, CompiledCard] = OrderedDict()
_CACHE_SIZE = 32
_CACHE_LOCK = threading.Lock()


def compiled(
    resolved: Mapping[str, Any] | Callable[[], Mapping[str, Any]], digest: str | None = None
) -> CompiledCard:
    """The compiled card for ``resolved`` (or a function reading it, called only on a miss),
    from the cache when a card with the same content hash was compiled before."""
    if digest is None:
        resolved = resolved() if callable(resolved) else resolved
        digest = content_hash(resolved)
    key = digest
    with _CACHE_LOCK:
        card = _CACHE.get(key)
        if card is not None:
            _CACHE.move_to_end(key)
            return card
    card = CompiledCard(resolved() if callable(resolved) else resolved)
    with _CACHE_LOCK:
        _CACHE[key] = card
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return card
