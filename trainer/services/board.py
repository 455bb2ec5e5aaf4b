"""The board report: flow, outcomes, retention and costs of a programme on one printable page."""
from dataclasses import dataclass
from datetime import date

from trainer.models import Programme
from trainer.services import costs, evaluation, results, retention


@dataclass
class Report:
    """Everything the board report shows; response statistics under disclosure's rules."""

    flow: list[evaluation.FlowBox]
    primary: list[evaluation.ScaleEvaluation]
    secondary: list[evaluation.ScaleEvaluation]
    retention: list[retention.ArmRetention]
    costs: costs.Page


def report(programme: Programme, *, today: date, live: bool) -> Report:
    """The flow, the outcome results (the first scale primary until a plan names one), survival in
    post per arm (no names) and the cost-consequence figures; ``live`` for an evaluator."""
    scales = results.outcome_results(programme, today=today, live=live)
    return Report(evaluation.flow(programme), scales[:1], scales[1:],
                  retention.retention(programme, today), costs.Page(costs.summary(programme, today=today), scales))
