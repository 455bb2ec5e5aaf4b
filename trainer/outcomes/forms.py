"""Outcome forms: a questionnaire built from an instrument, set-up, support, retention, the plan."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (BooleanField, DateField, FloatField, RadioField, SelectField, SelectMultipleField,
                     TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from trainer.forms_support import OnceForm, as_choices
from trainer.services.outcomes.retention import CATEGORY_LABELS


def questionnaire_form(instrument, texts: list[str], formdata=None):
    """A form with one optional radio question per item (``item_1`` ...), named by its wording."""

    class QuestionnaireForm(FlaskForm):
        def answers(self) -> dict[int, int]:
            """The answered items as item number -> value; blank ones (even " ") left out."""
            return {n: getattr(self, f"item_{n}").data for n in range(1, len(texts) + 1)
                    if getattr(self, f"item_{n}").data is not None}

    choices = as_choices((v, label) for v, label in instrument.options)
    for number, text in enumerate(texts, start=1):
        # coerce=int: an answer that is not a number (a single space) leaves the item unanswered.
        setattr(QuestionnaireForm, f"item_{number}",
                RadioField(f"{number}. {text}", choices=choices, coerce=int, validators=[Optional()],
                           validate_choice=True))
    return QuestionnaireForm(formdata=formdata) if formdata is not None else QuestionnaireForm()


class SharingForm(FlaskForm):
    share = BooleanField("Let my coach (the programme's trainers) see my questionnaire scores")


class SetupForm(FlaskForm):
    instruments = SelectMultipleField(
        "Questionnaires", validators=[DataRequired("Choose at least one questionnaire")])
    baseline_opens = DateField("Baseline opens", validators=[DataRequired("Enter a date")])
    baseline_closes = DateField("Baseline closes", validators=[DataRequired("Enter a date")])
    post_opens = DateField("Post opens", validators=[DataRequired("Enter a date")])
    post_closes = DateField("Post closes", validators=[DataRequired("Enter a date")])
    follow_up_opens = DateField("Follow-up opens", validators=[DataRequired("Enter a date")])
    follow_up_closes = DateField("Follow-up closes", validators=[DataRequired("Enter a date")])


class SupportForm(FlaskForm):
    resources = TextAreaField(
        "Support resources", validators=[Length(max=5000)],
        description="One resource per paragraph: its name on the first line, how to reach it "
                    "below. Leave a blank line between resources.")


class LeavingForm(FlaskForm):
    membership_id = SelectField("Participant", coerce=int, validators=[DataRequired("Choose a participant")])
    left_on = DateField("Date they left post", validators=[Optional()],
                        description="Leave blank to record that they are back in post.")
    category = RadioField("Where did they go?", default="other_unknown", validators=[Optional()],
                          description="The categories of the national children's social work "
                                      "workforce statistics.")
    reason = TextAreaField("Reason for leaving (optional)", validators=[Optional(), Length(max=200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = list(CATEGORY_LABELS.items())


class ImportForm(FlaskForm):
    file = FileField("Retention CSV file", validators=[
        FileRequired("Choose a CSV file"), FileAllowed(["csv"], "The file must be a .csv file")])


class ExportForm(FlaskForm):
    """An export button: its CSRF token is what matters."""


class PlanForm(OnceForm):
    primary_outcome = SelectField("Primary outcome", validators=[DataRequired("Choose the primary outcome")])
    secondary_outcomes = SelectMultipleField("Secondary outcomes")
    timepoint = RadioField("Wave of the primary analysis", validators=[DataRequired("Choose a wave")])
    analysis = TextAreaField("Primary analysis", validators=[
        DataRequired("Describe the primary analysis"), Length(max=4000)])
    alpha = FloatField("Significance level", validators=[
        InputRequired("Enter a significance level, like 0.05"), NumberRange(min=0.0001, max=0.2,
                                                                             message="Enter a level above 0 and at most 0.2")])
    missing_data = TextAreaField("How missing data are handled", validators=[
        DataRequired("Describe how missing data are handled"), Length(max=4000)])
    reason = TextAreaField("Why the plan changes", validators=[Length(max=2000)])


class LockForm(FlaskForm):
    pass
