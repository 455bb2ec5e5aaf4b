"""Audit trail filters (read from the query string; GET changes nothing)."""
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import Length, NumberRange, Optional


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    person = StringField("Person (name or e-mail)", validators=[Optional(), Length(max=120)])
    action = StringField("Action (or its start, like consent.)", validators=[Optional(), Length(max=60)])
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])
    page = IntegerField("Page", validators=[Optional(), NumberRange(min=1)])


class ExportForm(FlaskForm):
    """The CSV download: a POST, because the export itself is recorded."""
