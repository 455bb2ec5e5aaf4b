"""Shared form plumbing: RuleViolations on form fields, choices, one-time submission tokens, and
list pages' query strings."""
import secrets
from dataclasses import dataclass, field

from flask import flash, redirect
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, Regexp

from trainer.errors import RuleViolation
from trainer.services.system import submissions


def apply_violation(form: FlaskForm, exc: RuleViolation) -> None:
    """Show ``exc`` beside its field if the form has it, else as a form-level error."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = list(field.errors) + [exc.message]
    else:
        form.form_errors.append(exc.message)


def as_choices(pairs) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs (WTForms 3.3 deprecates bare tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


def uploaded_text(storage) -> str:
    """An uploaded text file as a string: UTF-8 (bad bytes replaced), without NUL characters,
    which no spreadsheet means and PostgreSQL cannot store."""
    return storage.read().decode("utf-8", errors="replace").replace("\x00", "")


def new_submission_token() -> str:
    """A fresh one-time token for a form that creates something."""
    return secrets.token_urlsafe(24)


class OnceForm(FlaskForm):
    """A form that creates something: it carries a one-time submission token (a hidden field,
    rendered by the ``csrf`` macro), so sending it twice creates one thing."""

    submission_token = HiddenField(default=new_submission_token, validators=[
        Optional(), Length(max=64), Regexp(r"^[A-Za-z0-9_-]+$", message="The form was damaged. "
                                                                          "Reload the page.")])


def submit_once(form: OnceForm, create, result_url, message: str | None = None):
    """Run ``create()`` once per ``form``'s submission token and redirect to its result.

    ``result_url(result)`` says where the result is; ``message`` is flashed (after a repeat too:
    what the user sent is saved). A repeat of the same form creates nothing and redirects to the
    first result. A RuleViolation from ``create`` propagates, for the view to show on the form.
    """
    outcome = run_once(form, create, result_url)
    if message:
        flash(message, "success")
    return redirect(outcome.url)


def run_once(form: OnceForm, create, result_url) -> submissions.Outcome:
    """``submit_once`` for a view that shows its result itself: when ``outcome.created`` is
    False the form was sent before, and the view redirects to ``outcome.url``."""
    return submissions.submit_once(form.submission_token.data, current_user.id, create, result_url)


def already_sent(outcome: submissions.Outcome):
    """The answer to a repeated form: a note saying so and a redirect to the first result."""
    flash("That form was already sent, so nothing more was saved.", "info")
    return redirect(outcome.url)


@dataclass(frozen=True)
class ListArgs:
    """A list page's query string: the search words, the filters and the page number."""

    q: str = ""
    filters: dict = field(default_factory=dict)
    page: int = 1


def list_args(args, filters: dict[str, tuple[str, ...]]) -> ListArgs:
    """Read ``q``, ``page`` and each filter of ``filters`` (name -> allowed values) from ``args``.

    Unknown filter values and bad page numbers are ignored rather than refused: a list page is a GET.
    """
    page = args.get("page", "1")
    chosen = {name: args.get(name, "") for name in filters}
    return ListArgs((args.get("q") or "").strip()[:200],
                    {name: value for name, value in chosen.items() if value and value in filters[name]},
                    int(page) if page.isdigit() and len(page) < 7 else 1)
