"""Form helpers: a service's RuleViolation on the right field, choices, and list pages' query strings."""
from dataclasses import dataclass, field

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
