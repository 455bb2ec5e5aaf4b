"""Turning a service's RuleViolation into an error on the right form field."""
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from trainer.errors import RuleViolation


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
