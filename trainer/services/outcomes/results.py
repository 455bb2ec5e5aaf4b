"""Outcome results by arm for every scale the programme measures, under disclosure's rules."""
from datetime import date

from trainer.models import Programme
from trainer.services.outcomes import evaluation, outcomes


def outcome_results(programme: Programme, *, today: date, live: bool) -> list[evaluation.ScaleEvaluation]:
    """evaluation.evaluate for each scale of each chosen instrument, in the programme's order;
    the first scale of the first instrument is listed first (the primary outcome until an
    evaluation plan names one)."""
    return [evaluation.evaluate(programme, instrument.key, scale.key, today=today, live=live)
            for instrument in outcomes.chosen_instruments(programme) for scale in instrument.scales]
