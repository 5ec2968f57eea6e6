"""Forms of the knowledge-refresh pages: each carries a CSRF token and re-renders with errors."""

from __future__ import annotations

from datetime import date, timedelta

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length

from review.workflow import MAX_BODY, MAX_TITLE


class PreviewForm(FlaskForm):  # type: ignore[misc]
    """The editor's Markdown, sent by the preview script; its size is checked by the view."""

    body = TextAreaField("Markdown")


class ScanForm(FlaskForm):  # type: ignore[misc]
    """The queue page's "Scan resolved tickets" button: only the CSRF token."""


class VerifyForm(FlaskForm):  # type: ignore[misc]
    """A knowledge manager confirms a document is still right and sets its next review date."""

    review_by = DateField("Next review by", validators=[InputRequired()])

    def validate_review_by(self, field: DateField) -> None:
        if field.data is not None and field.data < date.today():
            raise ValidationError("The next review date cannot be in the past.")


def default_review_by(interval_days: int) -> date:
    """What "Verify" proposes: today plus the review interval (setting review_interval_days)."""
    return date.today() + timedelta(days=interval_days)


class ProposalActionForm(FlaskForm):  # type: ignore[misc]
    """Every change to a proposal names the version the reviewer saw (optimistic locking):
    if someone changed the proposal since, the change is refused rather than overwriting theirs.
    Start review, assign to me, approve and publish need nothing else."""

    expected_version = HiddenField(validators=[InputRequired()])

    @property
    def version(self) -> int:
        return int(self.expected_version.data)

    def validate_expected_version(self, field: HiddenField) -> None:
        if not str(field.data or "").isdigit():
            raise ValidationError("The page is out of date; reload it.")


class EditForm(ProposalActionForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=MAX_TITLE)])
    body = TextAreaField("Article (Markdown)", validators=[DataRequired(), Length(max=MAX_BODY)])


class RejectForm(ProposalActionForm):
    reason = TextAreaField(
        "Reason for rejecting",
        validators=[DataRequired("Say why the proposal is rejected."), Length(max=2000)],
    )
