"""Administration forms."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from trainer.forms_support import as_choices


class InviteForm(FlaskForm):
    display_name = StringField("Full name", validators=[DataRequired("Enter the person's name"),
                                                        Length(max=120)])
    email = EmailField("Email address", validators=[DataRequired("Enter an email address"),
                                                    Length(max=254)])
    is_admin = BooleanField("Make this person an administrator")


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token is what matters."""


class GrantForm(FlaskForm):
    """An admin gives someone (themselves included) a role in a programme."""

    programme_id = SelectField("Programme", coerce=int, validators=[DataRequired("Choose a programme")])
    user_id = SelectField("Person", coerce=int, validators=[DataRequired("Choose a person")])
    role = RadioField("Role", choices=as_choices([("lead", "Lead"), ("trainer", "Trainer"),
                                                  ("evaluator", "Evaluator")]),
                      validators=[DataRequired("Choose a role")])
