"""The style card's YAML schema (marshmallow): unknown keys are refused at every level.

One schema per rule type; ``RuleSectionsSchema`` lists where each lives in the card, and is
reused by override layers (``add``) so a rule reads the same wherever it is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

import regex
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from styleguide.author_patterns import author_regex
from styleguide.backtracking import backtracking_problem
from styleguide.findings import CHANNELS, SEVERITIES, TIERS
from styleguide.scopes import SCOPES

RULE_ID = validate.Regexp(
    r"^[a-z0-9][a-z0-9-]{0,63}$", error="Use lowercase letters, digits and hyphens (at most 64)."
)
PROMISE_KINDS = ("guarantee", "absolute_timeline", "liability_admission", "never_again", "other")
BAD_NEWS_STEPS = ("acknowledge", "explain", "next_step")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def text_list(*, required: bool = False, min_items: int = 0) -> fields.List:
    """A list of short texts (phrases, terms); optional ones default to an empty list."""
    item = fields.String(validate=validate.Length(1, 300))
    size = validate.Length(min=min_items, max=500)
    if required:
        return fields.List(item, required=True, validate=size)
    return fields.List(item, load_default=list, validate=size)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ExampleContextSchema(Strict):
    text = fields.String(required=True, validate=validate.Length(1, 5000))
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    tier = fields.String(validate=validate.OneOf(TIERS))
    intent = fields.String(validate=validate.Length(1, 100))
    customer_name = fields.String(validate=validate.Length(1, 200))
    agent_name = fields.String(validate=validate.Length(1, 200))


class ExampleField(fields.Field):
    """A sample reply: plain text, or a mapping with the text and its context."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                raise ValidationError("An example cannot be empty.")
            return value
        if isinstance(value, Mapping):
            loaded: dict[str, Any] = ExampleContextSchema().load(value)
            return loaded
        raise ValidationError("An example is a reply text or a mapping with `text`.")


class ExamplesSchema(Strict):
    good = fields.List(ExampleField(), required=True, validate=validate.Length(1, 20))
    bad = fields.List(ExampleField(), required=True, validate=validate.Length(1, 20))


class RuleSchema(Strict):
    """What every rule carries: an id, the message shown to the agent, a severity, examples."""

    id = fields.String(required=True, validate=RULE_ID)
    message = fields.String(required=True, validate=validate.Length(1, 500))
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    examples = fields.Nested(ExamplesSchema, required=True)


class PatternRuleSchema(RuleSchema):
    pattern = fields.String(required=True, validate=validate.Length(1, 1000))
    regex = fields.Boolean(load_default=False)
    case_sensitive = fields.Boolean(load_default=False)

    @validates_schema
    def _compiles(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("regex") and "pattern" in data:
            try:
                finder = author_regex(data["pattern"], case_sensitive=data["case_sensitive"])
            except regex.error as exc:
                raise ValidationError(f"Invalid regular expression: {exc}.", "pattern") from exc
            if finder.pattern.search(""):
                raise ValidationError("This pattern matches empty text.", "pattern")
            problem = backtracking_problem(finder, data["pattern"])
            if problem:
                raise ValidationError(problem, "pattern")


class RiskyPromiseSchema(PatternRuleSchema):
    kind = fields.String(required=True, validate=validate.OneOf(PROMISE_KINDS))


class TermSchema(RuleSchema):
    prefer = fields.String(required=True, validate=validate.Length(1, 200))
    over = text_list(required=True, min_items=1)
    exceptions = text_list()
    case_sensitive = fields.Boolean(load_default=False)
    fix = fields.String(load_default="safe", validate=validate.OneOf(("safe", "review")))

    @validates_schema
    def _prefer_is_not_avoided(self, data: dict[str, Any], **_: Any) -> None:
        prefer, over = data.get("prefer", ""), data.get("over") or []
        same = [
            o
            for o in over
            if (o == prefer if data.get("case_sensitive") else o.lower() == prefer.lower())
        ]
        if same:
            raise ValidationError(f"`over` lists the preferred term itself ({same[0]!r}).", "over")


class WhenSchema(Strict):
    intents = text_list()
    channels = fields.List(fields.String(validate=validate.OneOf(CHANNELS)), load_default=list)
    tiers = fields.List(fields.String(validate=validate.OneOf(TIERS)), load_default=list)
    keywords = text_list()
    match = fields.String(load_default="any", validate=validate.OneOf(("any", "all")))

    @validates_schema
    def _has_a_condition(self, data: dict[str, Any], **_: Any) -> None:
        if not any(data.get(key) for key in ("intents", "channels", "tiers", "keywords")):
            raise ValidationError("Name at least one intent, channel, tier or keyword.", "intents")


class DisclaimerSchema(RuleSchema):
    when = fields.Nested(WhenSchema, required=True)
    text = fields.String(required=True, validate=validate.Length(1, 1000))


class ChannelTextsSchema(Strict):
    email = text_list()
    chat = text_list()


def _check_placeholders(texts: list[str], allowed: set[str], field: str) -> None:
    for text in texts:
        for name in PLACEHOLDER.findall(text):
            if name not in allowed:
                known = ", ".join(sorted(allowed))
                raise ValidationError(
                    f"Unknown placeholder {{{name}}} in {text!r}; use {known}.", field
                )


class GreetingSchema(RuleSchema):
    preferred = fields.Nested(ChannelTextsSchema, load_default=dict)
    forbidden = text_list()
    placeholders: ClassVar[set[str]] = {"first_name"}

    @validates_schema
    def _known_placeholders(self, data: dict[str, Any], **_: Any) -> None:
        preferred = data.get("preferred") or {}
        texts = [t for channel in CHANNELS for t in preferred.get(channel, [])]
        _check_placeholders(texts, self.placeholders, "preferred")


class SignoffSchema(GreetingSchema):
    placeholders: ClassVar[set[str]] = {"agent_first_name"}


class MaxCountSchema(RuleSchema):
    max = fields.Integer(required=True, validate=validate.Range(0, 1000))


class EmojiSchema(RuleSchema):
    email = fields.Integer(required=True, validate=validate.Range(0, 1000))
    chat = fields.Integer(required=True, validate=validate.Range(0, 1000))


class AllCapsSchema(RuleSchema):
    max = fields.Integer(load_default=0, validate=validate.Range(0, 1000))
    allow = text_list()
    min_length = fields.Integer(load_default=2, validate=validate.Range(2, 20))


class SentenceLengthSchema(RuleSchema):
    max_words = fields.Integer(required=True, validate=validate.Range(3, 200))


class ReadabilitySchema(RuleSchema):
    min_grade = fields.Float(required=True, validate=validate.Range(-5, 30))
    max_grade = fields.Float(required=True, validate=validate.Range(-5, 30))
    min_words = fields.Integer(load_default=0, validate=validate.Range(0, 1000))

    @validates_schema
    def _range(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("min_grade", 0) > data.get("max_grade", 0):
            raise ValidationError("min_grade is above max_grade.", "min_grade")


class PhraseCountSchema(RuleSchema):
    phrases = text_list(required=True, min_items=1)
    max = fields.Integer(required=True, validate=validate.Range(0, 1000))


class ContractionsSchema(Strict):
    email = fields.String(load_default="allowed", validate=validate.OneOf(("allowed", "avoid")))
    chat = fields.String(load_default="allowed", validate=validate.OneOf(("allowed", "avoid")))


class FormalitySchema(RuleSchema):
    contractions = fields.Nested(ContractionsSchema, load_default=dict)
    slang = text_list()


class RepetitionSchema(RuleSchema):
    max_repeats_of_word = fields.Integer(required=True, validate=validate.Range(1, 1000))
    min_word_length = fields.Integer(load_default=4, validate=validate.Range(1, 50))
    ignore = text_list()
    consecutive = fields.Boolean(load_default=True)


class ConsistencySchema(RuleSchema):
    variants = text_list(required=True, min_items=2)
    prefer = fields.String(required=True, validate=validate.Length(1, 200))
    case_sensitive = fields.Boolean(load_default=False)

    @validates_schema
    def _prefer_is_a_variant(self, data: dict[str, Any], **_: Any) -> None:
        if "prefer" in data and data["prefer"] not in (data.get("variants") or []):
            raise ValidationError("`prefer` must be one of the variants.", "prefer")


class CapitalizationSchema(RuleSchema):
    terms = text_list(required=True, min_items=1)
    only_before = text_list()


class PersonalizationSchema(RuleSchema):
    use_customer_name = fields.Boolean(load_default=True)
    over_familiar = text_list()


class SignalsSchema(Strict):
    acknowledge = text_list()
    explain = text_list()
    next_step = text_list()


class BadNewsSchema(RuleSchema):
    triggers = text_list(required=True, min_items=1)
    require = fields.List(
        fields.String(validate=validate.OneOf(BAD_NEWS_STEPS)),
        required=True,
        validate=validate.Length(min=1),
    )
    signals = fields.Nested(SignalsSchema, required=True)

    @validates_schema
    def _steps_have_signals(self, data: dict[str, Any], **_: Any) -> None:
        signals = data.get("signals") or {}
        missing = [step for step in data.get("require") or [] if not signals.get(step)]
        if missing:
            raise ValidationError(f"Give signal phrases for: {', '.join(missing)}.", "signals")


class SpellingSchema(RuleSchema):
    vocabulary = text_list()
    misspellings = fields.Dict(
        keys=fields.String(validate=validate.Length(1, 100)),
        values=fields.String(validate=validate.Length(1, 100)),
        load_default=dict,
    )
    max_distance = fields.Integer(load_default=1, validate=validate.Range(1, 2))

    @validates_schema
    def _has_words(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("vocabulary") and not data.get("misspellings"):
            raise ValidationError("Give a vocabulary or misspellings.", "vocabulary")


class ToneSchema(Strict):
    exclamation_marks = fields.Nested(MaxCountSchema)
    emoji = fields.Nested(EmojiSchema)
    all_caps_words = fields.Nested(AllCapsSchema)
    sentence_length = fields.Nested(SentenceLengthSchema)
    readability = fields.Nested(ReadabilitySchema)
    hedging = fields.Nested(PhraseCountSchema)
    apology = fields.Nested(PhraseCountSchema)
    formality = fields.Nested(FormalitySchema)


def _many(schema: type[Schema]) -> fields.List:
    return fields.List(fields.Nested(schema), validate=validate.Length(max=500))


class RuleSectionsSchema(Strict):
    greetings = fields.Nested(GreetingSchema)
    signoffs = fields.Nested(SignoffSchema)
    terminology = _many(TermSchema)
    banned_phrases = _many(PatternRuleSchema)
    risky_promises = _many(RiskyPromiseSchema)
    required_disclaimers = _many(DisclaimerSchema)
    tone = fields.Nested(ToneSchema)
    repetition = fields.Nested(RepetitionSchema)
    consistency = _many(ConsistencySchema)
    capitalization = _many(CapitalizationSchema)
    personalization = fields.Nested(PersonalizationSchema)
    bad_news = fields.Nested(BadNewsSchema)
    spelling = fields.Nested(SpellingSchema)


class LayerSchema(Strict):
    """Explicit changes to inherited rules: add new ones, remove, replace or set fields by id."""

    add = fields.Nested(RuleSectionsSchema)
    remove = fields.List(fields.String(validate=RULE_ID), load_default=list)
    # Checked against each rule's own schema once the rule (and so its type) is known.
    replace = fields.Dict(
        keys=fields.String(validate=RULE_ID), values=fields.Dict(), load_default=dict
    )
    set = fields.Dict(keys=fields.String(validate=RULE_ID), values=fields.Dict(), load_default=dict)


class ChannelLayersSchema(Strict):
    email = fields.Nested(LayerSchema)
    chat = fields.Nested(LayerSchema)


class TierLayersSchema(Strict):
    free = fields.Nested(LayerSchema)
    standard = fields.Nested(LayerSchema)
    premium = fields.Nested(LayerSchema)
    vip = fields.Nested(LayerSchema)


class OverridesSchema(Strict):
    channel = fields.Nested(ChannelLayersSchema, load_default=dict)
    tier = fields.Nested(TierLayersSchema, load_default=dict)


class DifficultNewsSchema(Strict):
    situation = fields.String(required=True, validate=validate.Length(1, 1000))
    reply = fields.String(required=True, validate=validate.Length(1, 5000))


class VoiceSchema(Strict):
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    difficult_news_examples = fields.List(fields.Nested(DifficultNewsSchema), load_default=list)


class CardSchema(RuleSectionsSchema):
    """A whole card: metadata, voice, rules, overrides, and (with ``extends``) changes to a base."""

    version = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    effective_week = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$", error="Write it as 2026-W48."
        ),
    )
    author = fields.String(validate=validate.Length(max=200))
    note = fields.String(validate=validate.Length(max=2000))
    extends = fields.String(validate=validate.Regexp(r"^[a-z0-9][a-z0-9_-]{0,63}$"))
    remove = fields.List(fields.String(validate=RULE_ID))
    replace = fields.Dict(keys=fields.String(validate=RULE_ID), values=fields.Dict())
    set = fields.Dict(keys=fields.String(validate=RULE_ID), values=fields.Dict())
    voice = fields.Nested(VoiceSchema)
    overrides = fields.Nested(OverridesSchema)
    ignore_scopes = fields.List(fields.String(validate=validate.OneOf(SCOPES)))

    @validates_schema
    def _changes_need_a_base(self, data: dict[str, Any], **_: Any) -> None:
        if "extends" not in data:
            for key in ("remove", "replace", "set"):
                if data.get(key):
                    raise ValidationError("Only a card that `extends` a base can do this.", key)
