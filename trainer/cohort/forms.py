"""Cohort forms: enrol one participant, import a CSV file, randomise, offer the waitlist."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from trainer.forms_support import OnceForm, as_choices

ARM_CHOICES = as_choices([("intervention", "Intervention"), ("comparison", "Comparison"),
                          ("none", "To be randomised")])


class EnrolForm(OnceForm):
    name = StringField("Full name", validators=[DataRequired("Enter the person's name"), Length(max=120)])
    email = EmailField("Email address", validators=[DataRequired("Enter an email address"), Length(max=254)])
    arm = RadioField("Arm", choices=ARM_CHOICES, validators=[DataRequired("Choose an arm")])
    team = StringField("Team or locality", validators=[Optional(), Length(max=120)])


class ImportForm(OnceForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file")])


SCOPES = as_choices([("unallocated", "Everyone without an arm yet"), ("all", "Every participant"),
                     ("teams", "The teams I choose"), ("chosen", "The people I choose")])


class RandomiseForm(OnceForm):
    scope = RadioField("Whom to randomise", choices=SCOPES, default="unallocated",
                       validators=[DataRequired("Choose whom to randomise")])
    teams = SelectMultipleField("Teams", validators=[Optional()])
    membership_ids = SelectMultipleField("People", coerce=int, validators=[Optional()])
    seed = StringField("Seed", description="Leave blank for a new random seed; enter an earlier seed "
                                           "to reproduce that allocation",
                       validators=[Optional(), Length(max=64)])


class WaitlistForm(FlaskForm):
    target_id = SelectField("Later programme", coerce=int, validators=[DataRequired("Choose a programme")])
