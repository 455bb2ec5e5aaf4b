"""The evaluation plan: primary and secondary outcomes, analysis, lock and deviations."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select

from trainer.errors import RuleViolation
from trainer.extensions import db
from trainer.models import (EvaluationPlan, EvaluationPlanVersion, OutcomeResponse, OutcomeWave,
                            Programme, User)
from trainer.services.outcomes import outcomes

TIMEPOINTS = (("post", "Post (end of training)"), ("follow-up", "Follow-up"))
DEFAULT_ANALYSIS = ("ANCOVA of the score at the chosen wave on arm and the baseline score, "
                    "complete cases; estimate: adjusted difference (intervention minus comparison) "
                    "with its 95% CI and p-value, and Hedges' g over the pooled baseline SD.")
DEFAULT_MISSING = ("Primary analysis on complete cases. Sensitivity analysis: multiple imputation "
                   "by chained equations (MICE, predictive mean matching, 20 imputations, fixed "
                   "seed), pooled by Rubin's rules. Completers and non-completers compared at "
                   "baseline by arm.")
FIELDS = (("primary_outcome", "Primary outcome"), ("secondary_outcomes", "Secondary outcomes"),
          ("timepoint", "Wave of the primary analysis"), ("analysis", "Primary analysis"),
          ("alpha", "Significance level"), ("missing_data", "Missing data"))


@dataclass(frozen=True)
class Change:
    """One field a version changed: its label, the value before and after (as shown)."""

    label: str
    before: str
    after: str
    # For a list: what was added and removed, shown instead of the whole lists.
    summary: str = ""


@dataclass
class PlanView:
    """A programme's plan as its pages show it. ``current`` is None before any version."""

    plan: EvaluationPlan | None
    current: EvaluationPlanVersion | None
    deviations: list[tuple[EvaluationPlanVersion, list[Change]]]
    labels: dict[str, str]

    @property
    def locked(self) -> bool:
        """True once the plan has been locked."""
        return bool(self.plan and self.plan.locked_at)

    def label(self, key: str) -> str:
        """The title of an "instrument/scale" key (the key itself when no longer chosen)."""
        return self.labels.get(key, key)


def outcome_choices(programme: Programme, chosen: list | None = None) -> list[tuple[str, str]]:
    """("instrument/scale", "Instrument: Scale") for every scale of the chosen instruments;
    ``chosen`` is ``outcomes.chosen_instruments(programme)`` when the caller already has it."""
    return [(f"{i.key}/{s.key}", f"{i.title}: {s.title}")
            for i in (outcomes.chosen_instruments(programme) if chosen is None else chosen) for s in i.scales]


def short_labels(programme: Programme, chosen: list | None = None) -> dict[str, str]:
    """"instrument/scale" -> "Scale (INSTRUMENT)", for table rows; ``chosen`` is
    ``outcomes.chosen_instruments(programme)`` when the caller already has it."""
    return {f"{i.key}/{s.key}": f"{s.title} ({i.version.split()[0]})"
            for i in (outcomes.chosen_instruments(programme) if chosen is None else chosen)
            for s in i.scales}


def post_training_answers_exist(programme: Programme, at: datetime) -> bool:
    """True when anyone had submitted an answer in a wave after the baseline by ``at``."""
    return db.session.scalar(select(OutcomeResponse.id).join(OutcomeWave).where(
        OutcomeWave.programme_id == programme.id, OutcomeWave.kind != "baseline",
        OutcomeResponse.submitted_at.is_not(None), OutcomeResponse.submitted_at <= at)
        .limit(1)) is not None


# Built once: every evaluation page reads the plan.
_PLAN = select(EvaluationPlan).where(EvaluationPlan.programme_id == bindparam("programme_id"))


def _plan(programme: Programme) -> EvaluationPlan | None:
    return db.session.scalar(_PLAN, {"programme_id": programme.id})


def _shown(version: EvaluationPlanVersion, name: str, labels: dict[str, str]) -> str:
    value = getattr(version, name)
    if name == "primary_outcome":
        return labels.get(value, value)
    if name == "secondary_outcomes":
        return "; ".join(labels.get(v, v) for v in value) or "none"
    if name == "timepoint":
        return dict(TIMEPOINTS).get(value, value)
    if name == "alpha":
        return f"{value:g}"
    return value


def changes(before: EvaluationPlanVersion, after: EvaluationPlanVersion,
            labels: dict[str, str]) -> list[Change]:
    """The fields ``after`` changed from ``before``, as shown on the page."""
    result = []
    for name, label in FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if old == new:
            continue
        summary = ""
        if name == "secondary_outcomes":
            summary = "; ".join([f"added {labels.get(k, k)}" for k in new if k not in old]
                                + [f"removed {labels.get(k, k)}" for k in old if k not in new])
        result.append(Change(label, _shown(before, name, labels), _shown(after, name, labels),
                             summary or ""))
    return result


def plan_for(programme: Programme, chosen: list | None = None) -> PlanView:
    """The programme's plan: its current version and every deviation after the lock with what
    it changed from the version before it. ``chosen`` is ``outcomes.chosen_instruments(programme)``
    when the caller already has it."""
    labels = dict(outcome_choices(programme, chosen))
    plan = _plan(programme)
    if plan is None or not plan.versions:
        return PlanView(plan, None, [], labels)
    versions = plan.versions
    deviations = [(v, changes(prev, v, labels)) for prev, v in zip(versions, versions[1:]) if v.deviation]
    return PlanView(plan, versions[-1], deviations, labels)


def save_version(programme: Programme, user: User, **fields) -> EvaluationPlanVersion:
    """``add_version`` with ``fields`` and commit."""
    version = add_version(programme, user, **fields)
    db.session.commit()
    return version


def add_version(programme: Programme, user: User, *, primary_outcome: str,
                secondary_outcomes: list[str], timepoint: str, analysis: str, alpha: float,
                missing_data: str, reason: str, now: datetime) -> EvaluationPlanVersion:
    """Add (and flush) a new version of the plan. After the lock it is a deviation and needs a reason.

    RuleViolation (on its field) when an outcome is not one of the programme's scales, the
    primary is also listed as secondary, alpha is not above 0 and at most 0.2, the wave is
    unknown, nothing changed, or a deviation has no reason.
    """
    choices = dict(outcome_choices(programme))
    if primary_outcome not in choices:
        raise RuleViolation("Choose one of the programme's questionnaire scales.", "primary_outcome")
    if any(s not in choices for s in secondary_outcomes):
        raise RuleViolation("Choose only the programme's questionnaire scales.", "secondary_outcomes")
    if primary_outcome in secondary_outcomes:
        raise RuleViolation("The primary outcome cannot also be a secondary outcome.", "secondary_outcomes")
    if timepoint not in dict(TIMEPOINTS):
        raise RuleViolation("Choose the wave of the primary analysis.", "timepoint")
    if not 0 < alpha <= 0.2:
        raise RuleViolation("Enter a significance level above 0 and at most 0.2, like 0.05.", "alpha")
    plan = _plan(programme) or EvaluationPlan(programme_id=programme.id)
    deviation = plan.locked_at is not None
    if deviation and not reason.strip():
        raise RuleViolation("The plan is locked: say why it changes.", "reason")
    version = EvaluationPlanVersion(
        number=len(plan.versions) + 1, primary_outcome=primary_outcome,
        secondary_outcomes=list(secondary_outcomes), timepoint=timepoint, analysis=analysis.strip(),
        alpha=alpha, missing_data=missing_data.strip(), deviation=deviation,
        reason=reason.strip() or None, created_at=now, created_by_id=user.id)
    if plan.versions and not changes(plan.versions[-1], version, choices):
        raise RuleViolation("Nothing in the plan changed.", "primary_outcome")
    plan.versions.append(version)
    db.session.add(plan)
    db.session.flush()
    return version


def lock(programme: Programme, user: User, *, now: datetime) -> EvaluationPlan:
    """``add_lock`` and commit."""
    plan = add_lock(programme, user, now=now)
    db.session.commit()
    return plan


def add_lock(programme: Programme, user: User, *, now: datetime) -> EvaluationPlan:
    """Lock the plan (flushed, not committed): later versions are deviations. Records whether
    post-training answers existed by ``now``. RuleViolation when there is no plan yet or it is
    already locked."""
    plan = _plan(programme)
    if plan is None or not plan.versions:
        raise RuleViolation("Write the plan before locking it.")
    if plan.locked_at is not None:
        raise RuleViolation("The plan is already locked.")
    plan.locked_at, plan.locked_by_id = now, user.id
    plan.locked_before_post_data = not post_training_answers_exist(programme, now)
    db.session.flush()
    return plan
