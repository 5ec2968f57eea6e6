"""Forms of the style-card editor: the structured form, the YAML view, publish and roll back."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from styleguide.findings import CHANNELS, SEVERITIES, TIERS

SEVERITY_CHOICES = [(s, s) for s in SEVERITIES]


class SampleMixin:
    """A reply pasted by the brand owner, previewed next to the demo tickets' final replies."""

    sample = TextAreaField("Sample reply to preview (optional)", validators=[Length(max=20_000)])
    sample_channel = SelectField("Its channel", choices=[(c, c) for c in CHANNELS], default="email")
    sample_tier = SelectField("Customer tier", choices=[(t, t) for t in TIERS], default="standard")
    sample_intent = StringField("Intent (optional)", validators=[Length(max=100)])


class EditorActions:
    preview = SubmitField("Preview")
    save = SubmitField("Save draft")


class YamlEditorForm(FlaskForm, SampleMixin, EditorActions):  # type: ignore[misc]
    base = HiddenField()
    yaml = TextAreaField("Card (YAML)", validators=[DataRequired(), Length(max=512_000)])
    note = StringField("Change note", validators=[Length(max=2000)])


class BannedPhraseRow(Form):  # type: ignore[misc]
    """One banned phrase; a row left empty adds nothing, ``remove`` drops an existing one."""

    original = HiddenField()
    id = StringField("Id", validators=[Optional(), Length(max=64)])
    pattern = StringField("Phrase or pattern", validators=[Optional(), Length(max=1000)])
    regex = BooleanField("Regular expression")
    severity = SelectField("Severity", choices=SEVERITY_CHOICES, default="warning")
    message = StringField("Message", validators=[Optional(), Length(max=500)])
    good = StringField("Good example", validators=[Optional(), Length(max=5000)])
    bad = StringField("Bad example", validators=[Optional(), Length(max=5000)])
    remove = BooleanField("Remove")

    @property
    def is_blank(self) -> bool:
        return not (self.id.data or "").strip() and not (self.pattern.data or "").strip()


def _count(label: str, low: int = 0, high: int = 1000) -> IntegerField:
    # Optional: a card without this rule has no field to show, and an empty one changes nothing.
    return IntegerField(label, validators=[Optional(), NumberRange(low, high)])


class CardForm(FlaskForm, SampleMixin, EditorActions):  # type: ignore[misc]
    """The rules brand owners change most, as fields; everything else stays as the YAML has it."""

    base = HiddenField()
    effective_week = StringField("Effective week", validators=[DataRequired(), Length(max=10)])
    note = StringField("Change note", validators=[Length(max=2000)])
    banned = FieldList(FormField(BannedPhraseRow), min_entries=0)
    exclamation_max = _count("Exclamation marks per reply (at most)")
    sentence_max_words = _count("Words per sentence (at most)", 3, 200)
    readability_min = _count("Reading grade, lowest", 0, 30)
    readability_max = _count("Reading grade, highest", 0, 30)
    emoji_email = _count("Emoji in email (at most)")
    emoji_chat = _count("Emoji in chat (at most)")

    # Where a card path's errors are shown: tone settings map to their own fields.
    TONE_FIELDS: ClassVar[dict[str, str]] = {
        "tone.exclamation_marks.max": "exclamation_max",
        "tone.sentence_length.max_words": "sentence_max_words",
        "tone.readability.min_grade": "readability_min",
        "tone.readability.max_grade": "readability_max",
        "tone.emoji.email": "emoji_email",
        "tone.emoji.chat": "emoji_chat",
        "effective_week": "effective_week",
    }
    ROW_FIELDS: ClassVar[dict[str, str]] = {
        "id": "id",
        "pattern": "pattern",
        "regex": "regex",
        "severity": "severity",
        "message": "message",
        "examples.good.0": "good",
        "examples.good": "good",
        "examples.bad.0": "bad",
        "examples.bad": "bad",
        "examples": "good",
    }


class PublishForm(FlaskForm):  # type: ignore[misc]
    expected_current = IntegerField(validators=[InputRequired(), NumberRange(min=0)])
    note = StringField("Publish note", validators=[Length(max=2000)])


class RollbackForm(FlaskForm):  # type: ignore[misc]
    expected_current = IntegerField(validators=[InputRequired(), NumberRange(min=0)])
    note = StringField("Why (optional)", validators=[Length(max=2000)])


def sample_context(form: Any) -> dict[str, Any]:
    return {
        "channel": form.sample_channel.data or "email",
        "tier": form.sample_tier.data or "standard",
        "intent": (form.sample_intent.data or "").strip() or None,
    }
