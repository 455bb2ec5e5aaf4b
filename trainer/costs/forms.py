"""Cost forms: the lead's figures, each group with its source and price year."""
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, StringField
from wtforms.validators import Length, NumberRange, Optional

from trainer.services.outcomes.costs import FIGURES, SOURCED


class AmountField(DecimalField):
    """A decimal that must be a finite number: NaN and Infinity are refused as not a number."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter an amount, like 450 or 12.50") from None
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError("Enter an amount, like 450 or 12.50")


def _amount(label: str, hint: str = ""):
    return AmountField(label, places=2, description=hint, validators=[
        Optional(), NumberRange(min=0, max=9_999_999_999, message="Enter an amount from 0 to 9,999,999,999")])


def _source(label: str = "Source"):
    return StringField(label, validators=[Optional(), Length(max=300)],
                       description="Where the figure comes from: an invoice, a budget line, a published table.")


def _year():
    return IntegerField("Price year", validators=[
        Optional(), NumberRange(min=1990, max=2100, message="Enter a year like 2025")])


class CostsForm(FlaskForm):
    trainer_days = _amount("Trainer days", "Days of trainers' time, preparation included.")
    trainer_day_rate = _amount("Trainer day rate (£)")
    trainer_source, trainer_year = _source(), _year()
    venue_cost = _amount("Venue (£)")
    venue_source, venue_year = _source(), _year()
    materials_cost = _amount("Materials (£)")
    materials_source, materials_year = _source(), _year()
    coordination_cost = _amount("Coordination (£)", "Administration and the lead's time.")
    coordination_source, coordination_year = _source(), _year()
    backfill_cost = _amount("Backfill (£)", "Cover for participants' posts while they train.")
    backfill_source, backfill_year = _source(), _year()
    participant_hourly_cost = _amount("Participants' hourly cost (£)",
                                      "Salary with on-costs per working hour.")
    participant_source, participant_year = _source(), _year()
    peer_meeting_hours = _amount("Hours per peer meeting", "Applied to each participant at each logged meeting.")
    replacement_cost = _amount("Replacement cost per leaver (£)",
                               "Recruiting, agency cover and induction for one worker who leaves.")
    replacement_source, replacement_year = _source(), _year()
    sensitivity_from = _amount("Replacement cost from (£)")
    sensitivity_to = _amount("Replacement cost to (£)")
    sensitivity_step = _amount("Step (£)")

    def values(self) -> dict:
        """The figures, sources and years as costs.save_costs takes them."""
        names = list(FIGURES) + [f"{g}_{k}" for g in SOURCED for k in ("source", "year")]
        return {name: getattr(self, name).data for name in names}

    def fill(self, row) -> None:
        """Show the saved figures."""
        for name in self.values():
            getattr(self, name).data = getattr(row, name)
