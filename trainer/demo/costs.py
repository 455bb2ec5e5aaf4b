"""Demo costs: illustrative figures for the demo programme, each labelled as not sourced."""
from decimal import Decimal

from trainer.extensions import db
from trainer.models import ProgrammeCosts

# No figure here comes from a published table we can cite: each says so where it shows.
ILLUSTRATIVE = "Illustrative figure for the demo, not sourced"


def costs(ctx) -> None:
    """Give the demo programme a full set of cost figures, each labelled illustrative and not
    sourced, with a replacement cost per leaver and a sensitivity range."""
    db.session.add(ProgrammeCosts(
        programme_id=ctx.programme.id,
        trainer_days=Decimal(8), trainer_day_rate=Decimal(450),
        venue_cost=Decimal(900), materials_cost=Decimal(300), coordination_cost=Decimal(1500),
        backfill_cost=Decimal(0), participant_hourly_cost=Decimal(35), peer_meeting_hours=Decimal(1),
        replacement_cost=Decimal(20000), sensitivity_from=Decimal(5000), sensitivity_to=Decimal(50000),
        sensitivity_step=Decimal(5000),
        **{f"{group}_source": ILLUSTRATIVE for group in
           ("trainer", "venue", "materials", "coordination", "participant", "replacement")},
        backfill_source=f"{ILLUSTRATIVE}: no cover was bought in the demo",
        **{f"{group}_year": ctx.today.year for group in
           ("trainer", "venue", "materials", "coordination", "backfill", "participant", "replacement")}))
    db.session.flush()
