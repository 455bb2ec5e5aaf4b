"""The board report: flow, outcomes, retention and costs of a programme on one printable page."""
from dataclasses import dataclass
from datetime import date

from trainer.models import Programme
from trainer.services.outcomes import (costs, evaluation, evaluation_plan, results, retention,
                                       trial_analysis)


@dataclass
class Report:
    """Everything the board report shows; response statistics under disclosure's rules.

    ``trial`` (the plan, planned outcomes, baseline balance and reliable change of the primary
    outcome) is None until the programme has an evaluation plan."""

    flow: list[evaluation.FlowBox]
    primary: list[evaluation.ScaleEvaluation]
    secondary: list[evaluation.ScaleEvaluation]
    retention: list[retention.ArmRetention]
    costs: costs.Page
    trial: trial_analysis.TrialAnalysis | None = None


def report(programme: Programme, *, today: date, live: bool) -> Report:
    """The flow, the outcome results, survival in post per arm (no names) and the cost-consequence
    figures; ``live`` for an evaluator. With an evaluation plan, its primary and secondary
    outcomes are the ones listed as such (and the plan, baseline balance and reliable change of
    the primary outcome are added); without one, the first scale is listed as primary."""
    data = evaluation.load(programme)
    scales = results.outcome_results(programme, today=today, live=live, data=data)
    primary, secondary, trial = scales[:1], scales[1:], None
    plan = evaluation_plan.plan_for(programme, data.chosen)
    version = plan.current
    if version is not None:
        key = {f"{s.instrument.key}/{s.scale.key}": s for s in scales}
        primary = [key[version.primary_outcome]] if version.primary_outcome in key else []
        secondary = [key[k] for k in version.secondary_outcomes if k in key]
        instrument, _, scale = version.primary_outcome.partition("/")
        trial = trial_analysis.analyse(programme, (instrument, scale), today=today, live=live, plan=plan,
                                       data=data)
    return Report(evaluation.flow(programme), primary, secondary, retention.retention(programme, today),
                  costs.Page(costs.summary(programme, today=today), scales), trial)
