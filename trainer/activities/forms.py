"""Forms for activities, goals and peer coaching; the log form is built from an activity's fields."""
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, HiddenField, IntegerField, RadioField,
                     SelectMultipleField, StringField, TextAreaField, ValidationError, widgets)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from trainer.services.participation.activity_logs import check_value
from trainer.forms_support import OnceForm, as_choices
from trainer.wording import lower_first

VALUE_PREFIX = "v_"
PRIVATE_HINT = ("Only you can ever see this note: not your trainers, your programme lead, "
                "administrators, nor any export.")


class DateText(StringField):
    """A date typed as text (a date picker on phones), checked against the field's spec."""

    widget = widgets.DateInput()


class _SpecCheck:
    """Validates a field against its spec with the same rule the service applies."""

    def __init__(self, spec: dict):
        self.spec = spec

    def __call__(self, form, field):
        _, error = check_value(self.spec, field.data, partial=form.status.data == "started")
        if error:
            raise ValidationError(error)


def _hint(spec: dict) -> str:
    parts = [spec.get("help") or ""]
    if spec["kind"] == "scale":
        parts.append(f"{spec['min']} is {lower_first(spec['min_label'])}, {spec['max']} is "
                     f"{lower_first(spec['max_label'])}.")
    elif spec["kind"] == "number":
        parts.append(f"A number from {spec['min']} to {spec['max']}"
                     + (f" ({spec['unit']})." if spec.get("unit") else "."))
    elif spec["kind"] == "date":
        parts.append("For example, 27 3 2026: use the date picker or type it.")
    return " ".join(p for p in parts if p)


def _field_for(spec: dict):
    label = spec["label"] + ("" if spec.get("required") else " (optional)")
    kw = {"label": label, "description": _hint(spec), "validators": [_SpecCheck(spec)]}
    kind = spec["kind"]
    if kind == "long_text":
        return TextAreaField(**kw)
    if kind == "number":
        return StringField(render_kw={"inputmode": "decimal"}, **kw)
    if kind == "scale":
        points = [(str(i), str(i)) for i in range(int(spec["min"]), int(spec["max"]) + 1)]
        return RadioField(choices=as_choices(points), validate_choice=False, **kw)
    if kind == "choice":
        return RadioField(choices=as_choices((c, c) for c in spec["choices"]), validate_choice=False, **kw)
    if kind == "date":
        return DateText(**kw)
    return StringField(**kw)


class LogFormBase(OnceForm):
    """The fixed part of every log: status, date, minutes and the private note."""

    status = RadioField("How far did you get?",
                        choices=as_choices([("done", "Done"), ("started", "Started, not finished")]),
                        default="done", validators=[InputRequired("Choose done or started")])
    done_on = DateField("Date", validators=[InputRequired("Enter the date, like 27 3 2026")],
                        description="The day you did it (today or earlier).")
    minutes = IntegerField("Minutes spent",
                           description="How long it took you. If the activity already asked for "
                                       "its minutes, you can leave this blank.",
                           validators=[Optional(), NumberRange(0, 1440, "Enter minutes from 0 to 1440")])
    private_note = TextAreaField("Private reflective note", description=PRIVATE_HINT,
                                 validators=[Optional(), Length(max=4000)])

    specs: list[dict] = []

    def value_fields(self) -> list[tuple]:
        """(field, extra classes) for each of the activity's fields, in the module file's order."""
        return [(self[VALUE_PREFIX + s["name"]],
                 "govuk-radios--inline govuk-radios--small app-scale" if s["kind"] == "scale" else "")
                for s in self.specs]

    def raw_values(self) -> dict:
        """The activity values as typed, keyed by field name."""
        return {s["name"]: self[VALUE_PREFIX + s["name"]].data for s in self.specs}


def log_form(specs: list[dict], **kwargs) -> LogFormBase:
    """Build and instantiate a log form for an activity with these field specs."""
    form_class = type("LogForm", (LogFormBase,),
                      {VALUE_PREFIX + s["name"]: _field_for(s) for s in specs} | {"specs": specs})
    return form_class(**kwargs)


def log_form_data(log) -> dict:
    """Form data for editing an existing log."""
    return {"status": log.status, "done_on": log.done_on, "minutes": log.minutes,
            "private_note": log.private_note,
            **{VALUE_PREFIX + k: ("" if v is None else str(v)) for k, v in log.values.items()}}


class GoalForm(OnceForm):
    what = StringField("What is your goal?", validators=[DataRequired("Enter what your goal is"),
                                                         Length(max=300)],
                       description="Specific and achievable, for example: leave work by six on three days a week.")
    why = TextAreaField("Why does it matter to you? (optional)", validators=[Length(max=2000)])
    measure = TextAreaField("How will you know you have got there? (optional)",
                            validators=[Length(max=2000)])
    target_on = DateField("By when?", validators=[Optional()])
    shared_with_trainer = BooleanField(
        "Share this goal with my trainers",
        description="If you tick this, your trainers and programme lead see the goal's text and "
                    "progress. You can change this at any time.")


class ReviewForm(OnceForm):
    progress = IntegerField("Progress, from 0 to 100", validators=[
        InputRequired("Enter your progress as a number from 0 to 100"),
        NumberRange(0, 100, "Progress must be between 0 and 100")],
        description="0 means not started, 100 means fully achieved.")
    note = TextAreaField("A short note (optional)", validators=[Length(max=1000)])


class StatusForm(FlaskForm):
    status = HiddenField(validators=[DataRequired()])


class ShareForm(FlaskForm):
    shared = HiddenField(validators=[DataRequired()])


class MeetingForm(OnceForm):
    met_on = DateField("Date of the meeting", validators=[InputRequired("Enter the date of the meeting")])
    minutes = IntegerField("How long did you meet, in minutes?",
                           validators=[Optional(), NumberRange(0, 600, "Enter minutes from 0 to 600")])
    agenda = StringField("What you worked on, in one line", validators=[
        DataRequired("Enter what you worked on"), Length(max=300)],
        description="Your peers see this line.")
    private_note = TextAreaField("Private note (optional)", description=PRIVATE_HINT,
                                 validators=[Length(max=4000)])


class BulkAssignForm(FlaskForm):
    due_on = DateField("Due date", validators=[Optional()],
                       description="Leave empty to use the default.")


class DueForm(FlaskForm):
    due_on = DateField("New due date", validators=[InputRequired("Enter a due date")])


class GroupForm(FlaskForm):
    members = SelectMultipleField("Choose two or three participants", coerce=int,
                                  validate_choice=False)


class ShuffleForm(FlaskForm):
    size = RadioField("Group size", choices=as_choices([("2", "Pairs"), ("3", "Triads")]), default="2",
                      validators=[InputRequired("Choose pairs or triads")])


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token is what matters."""
