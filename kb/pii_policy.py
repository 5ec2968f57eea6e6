"""The PII policy (``config/pii.yaml``): what the redactor replaces and what it must leave alone.

The policy is a reviewed file, like the style card: which entity types are replaced and from
which score, the spaCy model that finds names, values and words that are never PII (the
company's own addresses, its product names) and how the NER gate decides which sentences are
worth reading. It is checked once, here; a bad value raises ``SettingsError`` naming its key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import phonenumbers
import yaml

from kb.errors import SettingsError

# What the redactor knows how to find; the policy picks from these.
SUPPORTED_ENTITIES = (
    *("PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE"),
    *("UK_SORT_CODE", "BANK_ACCOUNT", "ADDRESS", "UK_NINO", "DATE_OF_BIRTH"),
)
# General-English word lists the NER gate can start from (see kb.pii_vocabulary).
VOCABULARIES = ("cl100k", "wordllama", "none")
DEFAULT_POLICY = "config/pii.yaml"

_TOP_KEYS = {"version", "spacy_model", "entities", "phone_regions", "allow", "names"}
_ALLOW_KEYS = {"values", "words"}
_NAME_KEYS = {
    "ner_gate",
    "general_vocabulary",
    "common_words",
    "greetings",
    "sign_offs",
    "introductions",
}


@dataclass(frozen=True)
class NamePolicy:
    """How names are found (kb.pii_names): which sentences spaCy reads, and the phrases after
    which a capitalised word is a name. Words are kept casefolded, phrases in lower case."""

    ner_gate: bool = True
    general_vocabulary: str = "cl100k"
    common_words: frozenset[str] = frozenset()
    greetings: tuple[str, ...] = ()  # "hi", "dear": a name follows at the start of a line
    sign_offs: tuple[str, ...] = ()  # "regards", "thanks": a name follows, often on its own line
    introductions: tuple[str, ...] = ()  # "my name is", "cc": a name follows

    @property
    def cues(self) -> tuple[str, ...]:
        return (*self.greetings, *self.sign_offs, *self.introductions)


@dataclass(frozen=True)
class PiiPolicy:
    """A checked PII policy. Allow-listed values and words are kept casefolded."""

    version: int
    spacy_model: str
    thresholds: Mapping[str, float]  # entity type -> lowest score that is replaced
    phone_regions: tuple[str, ...] = ("US", "GB")
    allow_values: frozenset[str] = frozenset()
    allow_words: frozenset[str] = frozenset()
    names: NamePolicy = NamePolicy()
    source: str = DEFAULT_POLICY

    @property
    def entities(self) -> tuple[str, ...]:
        return tuple(self.thresholds)


def load_pii_policy(path: Path | None = None) -> PiiPolicy:
    """Read and check a policy file; ``None`` reads the packaged ``config/pii.yaml``."""
    source = str(path) if path is not None else DEFAULT_POLICY
    try:
        if path is None:
            text = resources.files("config").joinpath("pii.yaml").read_text("utf-8")
        else:
            text = path.read_text("utf-8")
    except OSError as exc:
        raise SettingsError(f"PII policy {source}: cannot read it: {exc.strerror}") from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SettingsError(f"PII policy {source}: not valid YAML: {exc}") from exc
    return parse_pii_policy(raw, source=source)


def parse_pii_policy(raw: Any, *, source: str = DEFAULT_POLICY) -> PiiPolicy:
    """Check an already-parsed policy mapping (what ``load_pii_policy`` reads from YAML)."""
    top = _Checker(source)
    data = top.mapping(raw, "(top level)", _TOP_KEYS)
    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise top.error("version", "a whole number from 1", version)
    entities = top.mapping(data.get("entities"), "entities", set(SUPPORTED_ENTITIES))
    if not entities:
        raise top.error("entities", f"at least one of {', '.join(SUPPORTED_ENTITIES)}", entities)
    allow = top.mapping(data.get("allow", {}), "allow", _ALLOW_KEYS)
    names = top.mapping(data.get("names", {}), "names", _NAME_KEYS)
    regions = top.words(data.get("phone_regions", ["US", "GB"]), "phone_regions")
    for region in regions:
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise top.error("phone_regions", "ISO country codes such as US, GB, DE", region)
    vocabulary = names.get("general_vocabulary", "cl100k")
    if vocabulary not in VOCABULARIES:
        raise top.error("names.general_vocabulary", f"one of {', '.join(VOCABULARIES)}", vocabulary)
    return PiiPolicy(
        version=version,
        spacy_model=top.text(data.get("spacy_model"), "spacy_model"),
        thresholds={name: top.score(value, f"entities.{name}") for name, value in entities.items()},
        phone_regions=tuple(regions),
        allow_values=top.folded(allow.get("values", []), "allow.values"),
        allow_words=top.folded(allow.get("words", []), "allow.words"),
        names=NamePolicy(
            ner_gate=top.flag(names.get("ner_gate", True), "names.ner_gate"),
            general_vocabulary=vocabulary,
            common_words=top.folded(names.get("common_words", []), "names.common_words"),
            greetings=top.phrases(names.get("greetings", []), "names.greetings"),
            sign_offs=top.phrases(names.get("sign_offs", []), "names.sign_offs"),
            introductions=top.phrases(names.get("introductions", []), "names.introductions"),
        ),
        source=source,
    )


class _Checker:
    """Type checks that name the offending key and the file it came from."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, key: str, expected: str, got: Any) -> SettingsError:
        return SettingsError(f"PII policy {self.source}: {key}: expected {expected}, got {got!r}")

    def mapping(self, raw: Any, key: str, allowed: set[str]) -> Mapping[str, Any]:
        if not isinstance(raw, Mapping):
            raise self.error(key, "a mapping", raw)
        for name in raw:
            if name not in allowed:
                where = name if key == "(top level)" else f"{key}.{name}"
                raise SettingsError(
                    f"PII policy {self.source}: {where}: unknown key "
                    f"(known: {', '.join(sorted(allowed))})"
                )
        return raw

    def text(self, raw: Any, key: str) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise self.error(key, "a non-empty string", raw)
        return raw.strip()

    def words(self, raw: Any, key: str) -> list[str]:
        if not isinstance(raw, list):
            raise self.error(key, "a list of strings", raw)
        return [self.text(item, key) for item in raw]

    def folded(self, raw: Any, key: str) -> frozenset[str]:
        return frozenset(" ".join(word.split()).casefold() for word in self.words(raw, key))

    def phrases(self, raw: Any, key: str) -> tuple[str, ...]:
        # Lower case, not casefolded: phrases become case-insensitive regular expressions, and
        # casefolding would turn the "ß" of "Grüßen" into an "ss" the text does not hold.
        # Longest first, so "kind regards" is tried before "regards" in one alternation.
        lowered = {" ".join(word.split()).lower() for word in self.words(raw, key)}
        return tuple(sorted(lowered, key=lambda p: (-len(p), p)))

    def score(self, raw: Any, key: str) -> float:
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw <= 1:
            raise self.error(key, "a score between 0 and 1", raw)
        return float(raw)

    def flag(self, raw: Any, key: str) -> bool:
        if not isinstance(raw, bool):
            raise self.error(key, "true or false", raw)
        return raw
