"""Demo step: the demo programme's evaluation plan, locked early, with one deviation."""
from datetime import datetime, time, timedelta, timezone

from trainer.services.outcomes import evaluation_plan


def plan_step(ctx) -> None:
    """The evaluator writes the plan on the programme's first day (self-compassion primary, as
    in the study), the lead locks it the same day, before any post-training answer, and a
    deviation after the post wave adds resilience as a secondary outcome, with the reason."""
    programme = ctx.programme
    lead, evaluator = ctx.users["lead@demo.test"], ctx.users["evaluator@demo.test"]

    def at(day, hour):
        return datetime.combine(day, time(hour), tzinfo=timezone.utc)

    fields = dict(primary_outcome="scs-sf/total",
                  secondary_outcomes=["proqol5/burnout", "proqol5/compassion-satisfaction",
                                      "proqol5/secondary-traumatic-stress"],
                  timepoint="post", analysis=evaluation_plan.DEFAULT_ANALYSIS, alpha=0.05,
                  missing_data=evaluation_plan.DEFAULT_MISSING)
    written = at(programme.start_date, 10)
    evaluation_plan.add_version(programme, evaluator, reason="", now=written, **fields)
    evaluation_plan.add_lock(programme, lead, now=written + timedelta(hours=4))
    fields["secondary_outcomes"] = fields["secondary_outcomes"] + ["brs/total"]
    evaluation_plan.add_version(
        programme, lead, now=ctx.now - timedelta(hours=1), **fields,
        reason="The steering group asked for resilience to be reported, as the programme is "
               "described to staff as resilience training.")
    ctx.lines.append("Evaluation plan: locked before any post-training answer, with one deviation.")
