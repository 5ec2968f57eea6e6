"""Web forms (flask-wtf): every one carries a CSRF token and re-renders with field errors."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length

from kb.errors import InvalidInput
from kb.users import MIN_PASSWORD_LENGTH, Role

ROLE_CHOICES = [(role.value, role.label) for role in Role]


class LoginForm(FlaskForm):  # type: ignore[misc]
    username = StringField("User name", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class PasswordForm(FlaskForm):  # type: ignore[misc]
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField(
        "New password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1024)]
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("new_password", message="The passwords differ.")],
    )


class UserForm(FlaskForm):  # type: ignore[misc]
    username = StringField("User name", validators=[DataRequired(), Length(min=2, max=63)])
    display_name = StringField("Display name", validators=[Length(max=200)])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])
    password = PasswordField(
        "Initial password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1024)]
    )


class RoleForm(FlaskForm):  # type: ignore[misc]
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])


class TokenForm(FlaskForm):  # type: ignore[misc]
    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    role = SelectField("Acts as role", choices=ROLE_CHOICES, default=Role.AGENT.value)


class ConfirmForm(FlaskForm):  # type: ignore[misc]
    """A button-only form (revoke, deactivate): the CSRF token is its only field."""


def attach_errors(form: FlaskForm, exc: InvalidInput) -> None:
    """Show a service's field errors next to the form's fields (others above the form)."""
    for field, messages in exc.errors.items():
        target = getattr(form, field, None)
        if target is None:
            form.form_errors.extend(messages)
        else:
            target.errors = list(messages)
    if not exc.errors:
        form.form_errors.append(str(exc))


class IngestForm(FlaskForm):  # type: ignore[misc]
    path = StringField(
        "File or folder on the server", validators=[DataRequired(), Length(max=1000)]
    )
    format = SelectField(
        "Format",
        choices=[(f, f) for f in ("auto", "markdown", "html", "text", "zendesk", "intercom")],
        default="auto",
    )
    source = SelectField(
        "Provenance for files without front matter",
        choices=[("", "as the files say"), ("public", "public"), ("internal", "internal")],
        default="",
    )
    approved = BooleanField("Files without front matter are approved")


class TicketDraftForm(FlaskForm):  # type: ignore[misc]
    """Draft a reply for a stored ticket (the button on each row of the agent desk)."""

    ticket_id = StringField("Ticket", validators=[DataRequired(), Length(max=100)])


class PasteTicketForm(FlaskForm):  # type: ignore[misc]
    channel = SelectField("Channel", choices=[("email", "Email"), ("chat", "Chat")])
    customer_name = StringField("Customer name", validators=[Length(max=200)])
    tier = SelectField(
        "Tier",
        choices=[(t, t) for t in ("free", "standard", "premium", "vip")],
        default="standard",
    )
    subject = StringField("Subject", validators=[Length(max=500)])
    body = TextAreaField("Message", validators=[DataRequired(), Length(max=50_000)])


class DecisionForm(FlaskForm):  # type: ignore[misc]
    action = SelectField(
        "Action", choices=[("accept", "Accept"), ("edit", "Send my edit"), ("escalate", "Escalate")]
    )
    final_text = TextAreaField("Reply", validators=[Length(max=20_000)])
    note = StringField("Note for the record", validators=[Length(max=2_000)])
