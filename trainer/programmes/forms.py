"""Programme forms: details, status, team and copying a plan."""
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from trainer.forms_support import OnceForm, as_choices


class ProgrammeForm(OnceForm):
    name = StringField("Name", validators=[DataRequired("Enter the programme's name"), Length(max=200)])
    organisation = StringField("Organisation", validators=[DataRequired("Enter the organisation"),
                                                           Length(max=200)])
    timezone = StringField("Time zone", default="Europe/London",
                           description="Training days and times are in this zone, e.g. Europe/London",
                           validators=[DataRequired("Enter a time zone"), Length(max=64)])
    start_date = DateField("Start date", validators=[DataRequired("Enter a real start date")])
    end_date = DateField("End date", description="Include the follow-up period after the last day",
                         validators=[DataRequired("Enter a real end date")])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])


class StatusForm(FlaskForm):
    status = HiddenField(validators=[DataRequired()])


class TeamForm(OnceForm):
    name = StringField("Full name", description="Needed only if the person has no account yet",
                       validators=[Optional(), Length(max=120)])
    email = EmailField("Email address", validators=[DataRequired("Enter an email address"), Length(max=254)])
    role = RadioField("Role", choices=as_choices([("trainer", "Trainer"), ("lead", "Lead"),
                                                  ("evaluator", "Evaluator")]), default="trainer",
                      description="An evaluator sees pseudonymous evaluation data only, and can hold "
                                  "no other role in this programme",
                      validators=[DataRequired("Choose a role")])


class CopyForm(OnceForm):
    name = StringField("Name of the new programme", validators=[DataRequired("Enter a name"),
                                                                Length(max=200)])
    start_date = DateField("Start date of the new programme",
                           description="Every date of the plan moves by the same number of days",
                           validators=[DataRequired("Enter a real start date")])


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token is what matters."""
