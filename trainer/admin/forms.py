"""Administration forms."""
from flask_wtf import FlaskForm
from wtforms import (BooleanField, EmailField, IntegerField, RadioField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from trainer.forms_support import OnceForm, as_choices

ROLE_CHOICES = as_choices([("lead", "Programme lead"), ("trainer", "Trainer"),
                           ("intervention", "Participant, intervention arm"),
                           ("comparison", "Participant, comparison arm")])


class InviteForm(OnceForm):
    display_name = StringField("Full name", validators=[DataRequired("Enter the person's name"),
                                                        Length(max=120)])
    email = EmailField("Email address", validators=[DataRequired("Enter an email address"),
                                                    Length(max=254)])
    is_admin = BooleanField("Make this person an administrator")
    programme_id = SelectField(
        "Programme", coerce=int, validators=[Optional()],
        description="Add them to a programme now, or later from its team or cohort page")
    role = RadioField("Role in the programme", choices=ROLE_CHOICES, validators=[Optional()])


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token is what matters."""


class OrganisationForm(FlaskForm):
    name = StringField("Organisation name", validators=[Length(max=200)],
                       description="Shown in the header, in page titles and at the foot of e-mails, "
                                   "for example Northshire County Council.")
    support_resources = TextAreaField(
        "Default support resources", validators=[Length(max=5000)],
        description="Offered to a participant whose questionnaire score is in a high-risk band, "
                    "in every programme that has not set its own. One resource per paragraph: its "
                    "name on the first line, how to reach it below. Leave a blank line between "
                    "resources.")
    retention_months = IntegerField(
        "Data retention period, in months",
        description="How long people's personal data is kept after their programme closes.",
        validators=[InputRequired("Enter the retention period in months"),
                    NumberRange(min=1, max=600, message="Enter a number of months from 1 to 600")])


class TestEmailForm(FlaskForm):
    to = EmailField("Send a test e-mail to", validators=[DataRequired("Enter an email address"),
                                                         Length(max=254)])


class GrantForm(FlaskForm):
    """An admin gives someone (themselves included) a role in a programme."""

    programme_id = SelectField("Programme", coerce=int, validators=[DataRequired("Choose a programme")])
    email = EmailField("Their e-mail address", description="The address they sign in with (search for it under Accounts).",
                       validators=[DataRequired("Enter the e-mail address of the person"), Length(max=254)])
    role = RadioField("Role", choices=as_choices([("lead", "Lead"), ("trainer", "Trainer"),
                                                  ("evaluator", "Evaluator")]),
                      validators=[DataRequired("Choose a role")])
