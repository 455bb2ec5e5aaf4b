"""Administration forms."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField
from wtforms.validators import DataRequired, Length

from trainer.forms_support import OnceForm


class InviteForm(OnceForm):
    display_name = StringField("Full name", validators=[DataRequired("Enter the person's name"),
                                                        Length(max=120)])
    email = EmailField("Email address", validators=[DataRequired("Enter an email address"),
                                                    Length(max=254)])
    is_admin = BooleanField("Make this person an administrator")


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token is what matters."""
