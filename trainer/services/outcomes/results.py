"""Outcome results by arm for every scale the programme measures, under disclosure's rules."""
from datetime import date

from trainer.models import Programme
from trainer.services.outcomes import evaluation


def outcome_results(programme: Programme, *, today: date, live: bool,
                    data: evaluation.Loaded | None = None) -> list[evaluation.ScaleEvaluation]:
    """evaluation.evaluate for each scale of each chosen instrument, in the programme's order;
    the first scale of the first instrument is listed first (the primary outcome until an
    evaluation plan names one). ``data`` (``evaluation.load``) saves loading it again."""
    data = evaluation.load(programme) if data is None else data
    return [evaluation.evaluate_loaded(data, instrument, scale, today=today, live=live)
            for instrument in data.chosen for scale in instrument.scales]
