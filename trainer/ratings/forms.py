"""Rating and wave forms (shape only; the rules live in trainer/services/ratings/ratings.py)."""
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from trainer.forms_support import OnceForm

SCORE_CHOICES = [SelectChoice(value, label) for value, label in (
    ("1", "1 – not at all useful"), ("2", "2 – slightly useful"), ("3", "3 – moderately useful"),
    ("4", "4 – very useful"), ("5", "5 – extremely useful"),
    ("absent", "I did not attend this module"))]


class WaveForm(OnceForm):
    label = StringField("Name of the wave", validators=[
        InputRequired("Enter a name for the wave"), Length(max=80, message="Use 80 characters or fewer")])
    offset_days = IntegerField(
        "Days after the last training day when it opens",
        validators=[InputRequired("Enter the number of days after the last training day"),
                    NumberRange(1, 730, "Enter a number of days from 1 to 730")])
    window_days = IntegerField("Days it stays open", validators=[
        InputRequired("Enter how many days the wave stays open"),
        NumberRange(1, 90, "Enter a number of days from 1 to 90")])


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token is what matters."""


def rating_form_class(modules) -> type[FlaskForm]:
    """A form with a score and a comment for each module, and save / submit buttons."""

    class RatingForm(FlaskForm):
        save = SubmitField("Save and come back later")
        finish = SubmitField("Submit my ratings")

    for module in modules:
        setattr(RatingForm, f"m{module.id}_score", RadioField(
            f"How useful has “{module.title}” been for your practice?", choices=SCORE_CHOICES,
            validate_choice=False))
        setattr(RatingForm, f"m{module.id}_comment", TextAreaField(
            f"Comment on {module.title}", validators=[
                Optional(), Length(max=2000, message="Use 2,000 characters or fewer")]))
    return RatingForm


def initial_data(sheet) -> dict:
    """The form's starting values from the participant's saved answers."""
    data = {}
    for module_id, answer in sheet.answers.items():
        data[f"m{module_id}_score"] = "absent" if answer.did_not_attend else str(answer.usefulness)
        data[f"m{module_id}_comment"] = answer.comment
    return data


def answers_from(form, modules) -> dict[int, tuple[str, str]]:
    """Module id -> (score, comment) as typed."""
    return {m.id: (form[f"m{m.id}_score"].data or "", form[f"m{m.id}_comment"].data or "")
            for m in modules}
