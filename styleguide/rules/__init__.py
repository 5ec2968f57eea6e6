"""The registry of rule types: where each lives in the card, its schema, and its compiled rule.

Adding a rule type is one row here, a schema in ``styleguide.schema`` and a ``Rule`` subclass;
the card loader, overrides, example validation and the diff all work from this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema

from styleguide import schema
from styleguide.rules.base import Rule
from styleguide.rules.phrases import (
    Capitalization,
    Consistency,
    Existence,
    RiskyPromise,
    Spelling,
    Substitution,
)
from styleguide.rules.structure import BadNews, Conditional, Greeting, Personalization, Signoff
from styleguide.rules.tone import (
    AllCapsWords,
    Emoji,
    ExclamationMarks,
    Formality,
    PhraseCount,
    Readability,
    Repetition,
    SentenceLength,
)


@dataclass(frozen=True)
class RuleType:
    """One kind of rule: its place in the card (``tone.emoji``), schema and implementation."""

    section: str
    schema: type[Schema]
    rule: type[Rule]
    many: bool = False

    @property
    def family(self) -> str:
        return self.rule.family


RULE_TYPES: tuple[RuleType, ...] = (
    RuleType("greetings", schema.GreetingSchema, Greeting),
    RuleType("signoffs", schema.SignoffSchema, Signoff),
    RuleType("terminology", schema.TermSchema, Substitution, many=True),
    RuleType("banned_phrases", schema.PatternRuleSchema, Existence, many=True),
    RuleType("risky_promises", schema.RiskyPromiseSchema, RiskyPromise, many=True),
    RuleType("required_disclaimers", schema.DisclaimerSchema, Conditional, many=True),
    RuleType("tone.exclamation_marks", schema.MaxCountSchema, ExclamationMarks),
    RuleType("tone.emoji", schema.EmojiSchema, Emoji),
    RuleType("tone.all_caps_words", schema.AllCapsSchema, AllCapsWords),
    RuleType("tone.sentence_length", schema.SentenceLengthSchema, SentenceLength),
    RuleType("tone.readability", schema.ReadabilitySchema, Readability),
    RuleType("tone.hedging", schema.PhraseCountSchema, PhraseCount),
    RuleType("tone.apology", schema.PhraseCountSchema, PhraseCount),
    RuleType("tone.formality", schema.FormalitySchema, Formality),
    RuleType("repetition", schema.RepetitionSchema, Repetition),
    RuleType("consistency", schema.ConsistencySchema, Consistency, many=True),
    RuleType("capitalization", schema.CapitalizationSchema, Capitalization, many=True),
    RuleType("personalization", schema.PersonalizationSchema, Personalization),
    RuleType("bad_news", schema.BadNewsSchema, BadNews),
    RuleType("spelling", schema.SpellingSchema, Spelling),
)
BY_SECTION = {rule_type.section: rule_type for rule_type in RULE_TYPES}

__all__ = ["BY_SECTION", "RULE_TYPES", "Rule", "RuleType"]
