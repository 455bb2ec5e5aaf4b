"""Administration forms."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from trainer.forms_support import as_choices

ROLE_CHOICES = as_choices([("lead", "Programme lead"), ("trainer", "Trainer"),
                           ("intervention", "Participant, intervention arm"),
                           ("comparison", "Participant, comparison arm")])


class InviteForm(FlaskForm):
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
