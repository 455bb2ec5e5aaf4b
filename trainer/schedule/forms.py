"""Forms for days, sessions, apologies and attendance."""
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from trainer.forms_support import OnceForm
from trainer.models import ATTENDANCE


class DayForm(OnceForm):
    day = DateField("Date", validators=[DataRequired("Enter a real date")])
    starts_at = TimeField("Starts at", validators=[DataRequired("Enter a start time, like 09:30")])
    ends_at = TimeField("Ends at", validators=[DataRequired("Enter an end time, like 16:30")])
    venue = StringField("Venue", validators=[Optional(), Length(max=200)])
    notes = TextAreaField("Notes", description="For example, what to bring or how to get there",
                          validators=[Optional(), Length(max=2000)])


class SessionForm(OnceForm):
    starts_at = TimeField("Starts at", validators=[DataRequired("Enter a start time, like 09:30")])
    ends_at = TimeField("Ends at", validators=[DataRequired("Enter an end time, like 12:30")])
    module_id = SelectField("Module", coerce=int, validators=[DataRequired("Choose a module")])
    trainer_ids = SelectMultipleField("Trainers", coerce=int, validators=[Optional()])
    room = StringField("Room", validators=[Optional(), Length(max=120)])


class ApologyForm(FlaskForm):
    reason = TextAreaField("Reason", description="Your trainers and lead will see this",
                           validators=[Optional(), Length(max=1000)])


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token is what matters."""


def attendance_marks(formdata, rows, sessions) -> tuple[dict[int, str], dict[tuple[int, int], str]]:
    """Read the attendance screen's fields: ``day-<membership>`` and ``s-<session>-<membership>``.

    Participants left unmarked are skipped; a session field left on "same as the day" is "".
    """
    allowed = set(ATTENDANCE)
    marks, session_marks = {}, {}
    for row in rows:
        mid = row.membership.id
        status = formdata.get(f"day-{mid}", "")
        if status in allowed:
            marks[mid] = status
        for session in sessions:
            value = formdata.get(f"s-{session.id}-{mid}")
            if value is not None and (value == "" or value in allowed):
                session_marks[(session.id, mid)] = value
    return marks, session_marks
