"""The brand owner's area: card versions, the editor with its preview, publish, diff, roll back."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from kb.errors import Conflict, InvalidInput
from kb.users import Role
from styleguide.checker import validate
from styleguide.demo import demo_card_text
from styleguide.diff import diff_versions
from styleguide.findings import CheckContext
from styleguide.preview import SampleReply, demo_samples, preview
from styleguide.versions import DRAFT, StaleCard, StyleCardService
from webapp.access import roles
from webapp.context import db, tandem
from webapp.security import current_actor
from webapp.style_editor import attach_card_errors, card_from_form, fill_card_form, tone_fields
from webapp.style_forms import CardForm, PublishForm, RollbackForm, YamlEditorForm, sample_context

bp = Blueprint("style", __name__, url_prefix="/style")
EDITORS = (Role.BRAND_OWNER, Role.ADMIN)


def _service() -> StyleCardService:
    return StyleCardService(db())


def _regex_timeout() -> int:
    return tandem().settings.style_regex_timeout_ms


@bp.get("/")
@roles(*EDITORS)
def index() -> ResponseReturnValue:
    return _index_page(RollbackForm(formdata=None))


def _index_page(form: RollbackForm, status: int = 200) -> ResponseReturnValue:
    service = _service()
    current = service.current_version()
    page = render_template(
        "style/index.html",
        versions=service.versions(),
        current=current,
        rollback=form,
        current_number=current.number if current else 0,
    )
    return page, status


@bp.get("/versions/<int:version_id>")
@roles(*EDITORS)
def version(version_id: int) -> ResponseReturnValue:
    return _version_page(version_id, PublishForm(formdata=None))


def _version_page(number: int, form: PublishForm, status: int = 200) -> ResponseReturnValue:
    service = _service()
    shown = service.get(number)
    current = service.current_version()
    if form.expected_current.data is None:
        form.expected_current.data = current.number if current else 0
    result = None
    if shown.status == DRAFT:
        before = service.compiled(current) if current else None
        result = preview(
            service.compiled(shown), before, demo_samples(), regex_timeout_ms=_regex_timeout()
        )
    page = render_template(
        "style/version.html", version=shown, current=current, form=form, preview=result
    )
    return page, status


@bp.post("/versions/<int:version_id>/publish")
@roles(*EDITORS)
def publish(version_id: int) -> ResponseReturnValue:
    form = PublishForm()
    if not form.validate_on_submit():
        return _version_page(version_id, form, 400)
    service = _service()
    previous = service.current_version()
    try:
        service.publish(
            version_id,
            expected_current=form.expected_current.data,
            actor=current_actor(),
            note=form.note.data,
        )
    except StaleCard as exc:
        db().commit()  # keep the audit entry of the refused attempt
        form.form_errors.append(str(exc))
        return _version_page(version_id, form, 409)
    except (Conflict, InvalidInput) as exc:
        db().rollback()
        form.form_errors.append(str(exc))
        return _version_page(version_id, form, 409 if isinstance(exc, Conflict) else 422)
    db().commit()
    flash(f"Version {version_id} is now the current card.")
    old = previous.number if previous else version_id
    return redirect(url_for("style.diff", old=old, new=version_id))


@bp.post("/versions/<int:version_id>/rollback")
@roles(*EDITORS)
def rollback(version_id: int) -> ResponseReturnValue:
    form = RollbackForm()
    if not form.validate_on_submit():
        flash("The page was out of date; try again.", "error")
        return redirect(url_for("style.index")), 303
    service = _service()
    try:
        restored = service.rollback(
            version_id,
            expected_current=form.expected_current.data,
            actor=current_actor(),
            note=form.note.data,
        )
    except StaleCard as exc:
        db().commit()  # keep the audit entry of the refused attempt
        form.form_errors.append(str(exc))
        return _index_page(form, 409)
    except Conflict as exc:
        db().rollback()
        form.form_errors.append(str(exc))
        return _index_page(form, 409)
    db().commit()
    flash(f"Version {restored.number} restores version {version_id} and is now current.")
    return redirect(url_for("style.diff", old=form.expected_current.data, new=restored.number))


@bp.get("/diff")
@roles(*EDITORS)
def diff() -> ResponseReturnValue:
    service = _service()
    old, new = request.args.get("old", type=int), request.args.get("new", type=int)
    result = None
    if old is not None and new is not None:
        result = diff_versions(service.get(old), service.get(new))
    return render_template("style/diff.html", diff=result, versions=service.versions())


# --- the editor -----------------------------------------------------------------------------


def _base(number: int | None) -> tuple[int, str]:
    """The version an edit starts from (the current one by default) and its YAML."""
    service = _service()
    if number:
        chosen = service.get(number)
        return chosen.number, chosen.content
    current = service.current_version()
    if current is not None:
        return current.number, current.content
    # No card yet: start from the packaged demo card rather than a blank page.
    return 0, demo_card_text()


@bp.route("/edit", methods=["GET", "POST"])
@roles(*EDITORS)
def edit() -> ResponseReturnValue:
    form = CardForm()
    if request.method == "GET":
        base, content = _base(request.args.get("from", type=int))
        available = fill_card_form(form, content, base)
        return _editor_page("style/edit.html", form, available=available)
    base, content = _base(_number(form.base.data))
    available = tone_fields(content)
    if not form.validate_on_submit():
        return _editor_page("style/edit.html", form, 400, available=available)
    text, rows = card_from_form(form, content)

    def show(errors: Mapping[str, list[str]]) -> None:
        attach_card_errors(form, errors, rows)

    return _submit("style/edit.html", form, text, show, available=available)


@bp.route("/edit/yaml", methods=["GET", "POST"])
@roles(*EDITORS)
def edit_yaml() -> ResponseReturnValue:
    form = YamlEditorForm()
    if request.method == "GET":
        base, content = _base(request.args.get("from", type=int))
        form.base.data, form.yaml.data = str(base), content
        return _editor_page("style/edit_yaml.html", form)
    if not form.validate_on_submit():
        return _editor_page("style/edit_yaml.html", form, 400)

    def show(errors: Mapping[str, list[str]]) -> None:
        for path, messages in errors.items():
            target = form.note if path == "note" else form.yaml
            prefix = "" if path in ("yaml", "note", "card") else f"{path}: "
            target.errors = [*target.errors, *(prefix + m for m in messages)]

    return _submit("style/edit_yaml.html", form, form.yaml.data, show)


def _submit(
    template: str,
    form: CardForm | YamlEditorForm,
    text: str,
    show_errors: Callable[[Mapping[str, list[str]]], None],
    **context: Any,
) -> ResponseReturnValue:
    """Save the edited card as a draft, or preview it against the sample replies."""
    service = _service()
    try:
        if form.save.data:
            draft = service.create_draft(text, actor=current_actor(), note=form.note.data)
        else:
            card = validate(text, service.bases).card
    except InvalidInput as exc:
        db().rollback()
        show_errors(exc.errors or {"card": [str(exc)]})
        return _editor_page(template, form, 422, **context)
    if form.save.data:
        db().commit()
        flash(f"Saved as draft version {draft.number}. Check the preview, then publish it.")
        return redirect(url_for("style.version", version_id=draft.number))
    current = service.current_version()
    before = service.compiled(current) if current else None
    result = preview(card, before, _samples(form), regex_timeout_ms=_regex_timeout())
    return _editor_page(template, form, preview=result, **context)


def _samples(form: CardForm | YamlEditorForm) -> Sequence[SampleReply]:
    samples = demo_samples()
    pasted = (form.sample.data or "").strip()
    if pasted:
        samples.insert(0, SampleReply("pasted", pasted, CheckContext(**sample_context(form))))
    return samples


def _editor_page(
    template: str, form: CardForm | YamlEditorForm, status: int = 200, **context: Any
) -> ResponseReturnValue:
    context.setdefault("available", set())
    context.setdefault("preview", None)
    page = render_template(template, form=form, base=_number(form.base.data), **context)
    return page, status


def _number(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0
