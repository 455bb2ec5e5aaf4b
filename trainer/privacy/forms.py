"""Privacy forms: consent, the participant information, paper consent, withdrawal, erasure."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from trainer.forms_support import OnceForm, as_choices
from trainer.services.privacy.consent import PURPOSE_LABELS


class ConsentForm(FlaskForm):
    programme = BooleanField(PURPOSE_LABELS["programme"])
    evaluation = BooleanField(PURPOSE_LABELS["evaluation"])
    follow_up = BooleanField(PURPOSE_LABELS["follow_up"] + " (optional)")

    def purposes(self) -> set[str]:
        """The purposes ticked."""
        return {name for name in PURPOSE_LABELS if getattr(self, name).data}


class PaperConsentForm(ConsentForm):
    membership_id = SelectField("Participant", coerce=int, validators=[InputRequired("Choose a participant")])
    given_on = DateField("Date they signed the form",
                         validators=[DataRequired("Enter a date, like 2026-09-01")])


class InformationForm(OnceForm):
    text = TextAreaField("Participant information", validators=[
        DataRequired("Enter the participant information"), Length(max=20000)])


class WithdrawForm(FlaskForm):
    scope = RadioField("What do you want to withdraw from?", choices=as_choices([
        ("evaluation", "The evaluation only: I stay on the programme, but am asked no more "
                       "questionnaires or ratings"),
        ("programme", "The whole programme")]), validators=[InputRequired("Choose what to withdraw from")])
    answers = RadioField("What should happen to the answers you have given so far?", choices=as_choices([
        ("keep", "They may still be used in the evaluation, marked as withdrawn from today"),
        ("delete", "Delete them: they must not be used")]),
        validators=[InputRequired("Choose what happens to your answers")])


class ConfirmForm(FlaskForm):
    """A button that only needs its CSRF token."""
