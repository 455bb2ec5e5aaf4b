"""The trial analysis on the evaluation page: planned outcomes, balance, missing data, reliable change."""
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from trainer import stats
from trainer.models import Membership, OutcomeWave, Programme
from trainer.services.outcomes import evaluation, evaluation_plan, instruments
from trainer.services.privacy import disclosure

ARMS = evaluation.ARMS
MI_SEED = 20261130
MI_IMPUTATIONS = 20
NO_TEAM = "No team recorded"


@dataclass
class PlannedOutcome:
    """One outcome of the plan at its wave: ANCOVA (the primary analysis), g over the pooled
    baseline SD, g of change scores (labelled so), and Holm's p among the secondary outcomes."""

    key: str
    title: str
    primary: bool
    pairs: dict[str, int] = field(default_factory=dict)
    ancova: stats.Ancova | None = None
    g_baseline: stats.EffectSize | None = None
    g_change: stats.EffectSize | None = None
    holm_p: float | None = None
    reason: str = ""

    @property
    def suppressed(self) -> bool:
        """True when no statistic is shown."""
        return bool(self.reason)


@dataclass
class BalanceRow:
    """Baseline n, mean and SD of one scale per arm (a None description when not shown)."""

    title: str
    cells: dict[str, evaluation.Cell]


@dataclass
class Completers:
    """Baseline of the primary outcome by arm, split into those who answered its wave and not."""

    cells: dict[tuple[str, str], evaluation.Cell]
    imputed: stats.Imputed | None
    reason: str = ""


@dataclass
class ReliableChange:
    """Share reliably improved, unchanged and deteriorated per arm at one wave."""

    wave: OutcomeWave
    counts: dict[str, dict[str, int]]
    reasons: dict[str, str]


@dataclass
class TrialAnalysis:
    """What the evaluation page adds to the scale's own tables."""

    plan: evaluation_plan.PlanView
    wave: OutcomeWave | None
    planned: list[PlannedOutcome]
    balance: list[BalanceRow]
    teams: list[tuple[str, dict[str, int]]]
    arm_sizes: dict[str, int]
    completers: Completers | None
    reliable: list[ReliableChange]
    reliability: tuple[float, str] | None
    dose_holm: dict[tuple[str, str, str], float | None]


def _counted(members: list[Membership], columns: dict[str, tuple] | None = None) -> np.ndarray:
    """Per participant (in the grids' column order): allocated and counted. Someone who
    withdrew and had their answers deleted counts nowhere. ``columns``: ``evaluation.columns``
    of ``members``, when the caller has them."""
    facts = evaluation.columns(members) if columns is None else columns
    return np.array([bool(arm) and not (withdrawn_on and answers_kept is False) for arm, withdrawn_on, answers_kept
                     in zip(facts["arm"], facts["withdrawn_on"], facts["answers_kept"])], dtype=bool)


def _pairs(grid, counted, in_arm, b, w):
    """(baseline scores, wave ``w`` scores) per arm of the counted participants with both, in
    the participants' order; ``b`` and ``w`` are rows of ``grid``, ``in_arm`` each arm's mask
    (``Loaded.in_arm``)."""
    both = counted & ~np.isnan(grid[b]) & ~np.isnan(grid[w])
    return {arm: (grid[b, both & in_arm[arm]].tolist(), grid[w, both & in_arm[arm]].tolist())
            for arm in ARMS}


def _planned(key: str, title: str, primary: bool, grid, counted, in_arm, b, w, visible) -> PlannedOutcome:
    result = PlannedOutcome(key, title, primary)
    if w is None or b is None:
        result.reason = "the programme has no such wave"
        return result
    if not visible:
        result.reason = disclosure.WAVE_OPEN
        return result
    pairs = _pairs(grid, counted, in_arm, b, w)
    result.pairs = {arm: len(pairs[arm][0]) for arm in ARMS}
    why = next((disclosure.reason(n) for n in result.pairs.values() if disclosure.reason(n)), "")
    if why:
        result.reason = why
        return result
    (pre_i, post_i), (pre_c, post_c) = pairs["intervention"], pairs["comparison"]
    result.ancova = stats.ancova(pre_i + pre_c, post_i + post_c, [1] * len(pre_i) + [0] * len(pre_c))
    result.g_baseline = stats.hedges_g_baseline(pre_i, post_i, pre_c, post_c)
    result.g_change = stats.hedges_g([b - a for a, b in zip(pre_i, post_i)],
                                     [b - a for a, b in zip(pre_c, post_c)])
    return result


def _cell(values, visible: bool) -> evaluation.Cell:
    why = disclosure.reason(len(values), visible)
    return evaluation.Cell(None if why else len(values), None if why else stats.describe(values), why)


def _completers(grid, counted, in_arm, b, w, visible) -> Completers:
    cells, groups = {}, {}
    answered = ~np.isnan(grid)
    for arm in ARMS:
        have = counted & in_arm[arm] & answered[b]
        groups[arm] = {"completers": grid[b, have & answered[w]],
                       "non-completers": grid[b, have & ~answered[w]]}
        # The two parts add up to the arm's baseline shown in the balance table: both show or neither.
        shown = stats.shown_parts({k: len(v) for k, v in groups[arm].items()}, disclosure.THRESHOLD)
        for part, values in groups[arm].items():
            if not visible:
                why = disclosure.WAVE_OPEN
            elif part in shown:
                why = ""
            else:
                why = disclosure.TOO_FEW if len(values) < disclosure.THRESHOLD else disclosure.TOO_FEW_OUTSIDE
            cells[(arm, part)] = evaluation.Cell(None if why else len(values),
                                                 None if why else stats.describe(values), why)
    return Completers(cells, None)


def _imputed(grid, counted, in_arm, b, w) -> stats.Imputed:
    pre, post = ([None if v != v else v for v in grid[row, counted].tolist()] for row in (b, w))
    return stats.mice_ancova(pre, post, in_arm["intervention"][counted].tolist(), seed=MI_SEED,
                             imputations=MI_IMPUTATIONS)


def _reliable(scale: instruments.Scale, grid, counted, in_arm, b, wave_list, today, live) -> list[ReliableChange]:
    baseline = wave_list[b]
    sd = stats.describe(grid[b, counted & ~np.isnan(grid[b])]).sd
    result = []
    for w, wave in enumerate(wave_list):
        if wave.kind == "baseline":
            continue
        visible = all(disclosure.outcome_results_visible(x, today, live) for x in (baseline, wave))
        pairs = _pairs(grid, counted, in_arm, b, w)
        counts, reasons = {}, {}
        for arm in ARMS:
            pre, post = pairs[arm]
            reasons[arm] = disclosure.reason(len(pre), visible)
            if reasons[arm] or not sd:
                continue
            counts[arm] = stats.reliable_change_counts(pre, post, sd, scale.reliability,
                                                       scale.higher_is == "better")
        result.append(ReliableChange(wave, counts, reasons))
    return result


def _dose_p(data: evaluation.Loaded, today, live,
            known: dict[tuple[str, str], evaluation.DoseResponse]) -> dict[tuple[str, str, str], float | None]:
    post = next((w for w in data.waves if w.kind == "post"), None)
    if post is None:
        return {}
    result = {}
    for (key, scale_key), dose in evaluation.dose_responses(data, post, today, live, known=known).items():
        for exposure in dose.exposures:
            if exposure.correlation.p is not None:
                result[(key, scale_key, exposure.label)] = exposure.correlation.p
    return result


def analyse(programme: Programme, scale_key: tuple[str, str], *, today: date,
            live: bool, plan: evaluation_plan.PlanView | None = None,
            data: evaluation.Loaded | None = None,
            dose: evaluation.DoseResponse | None = None) -> TrialAnalysis:
    """The planned outcomes (ANCOVA, both g, Holm across the secondary outcomes), the baseline
    balance of every chosen scale by arm, team mix, completers against non-completers and the
    MICE sensitivity analysis of the primary outcome, and reliable change of the scale
    ``scale_key`` (instrument, scale); and Holm-adjusted p of every dose-response correlation
    shown for any scale, by (instrument, scale, exposure). All under disclosure's rules.
    ``plan`` (``evaluation_plan.plan_for``) and ``data`` (``evaluation.load``) save loading them
    again when the caller has them; ``dose``, the scale ``scale_key``'s dose-response against the
    post wave from ``data`` (``evaluation.dose_response_of``), saves computing it again."""
    data = evaluation.load(programme) if data is None else data
    plan = evaluation_plan.plan_for(programme, data.chosen) if plan is None else plan
    wave_list, chosen = data.waves, data.chosen
    in_arm = {arm: data.in_arm(arm) for arm in ARMS}
    b = next((i for i, w in enumerate(wave_list) if w.kind == "baseline"), None)
    baseline = wave_list[b] if b is not None else None
    facts = data.columns
    counted = _counted(data.members, facts)
    wave = None
    planned: list[PlannedOutcome] = []
    completers = None
    short = evaluation_plan.short_labels(programme, chosen)
    if plan.current:
        w = next((i for i, x in enumerate(wave_list) if x.kind == plan.current.timepoint), None)
        wave = wave_list[w] if w is not None else None
        visible = bool(wave and baseline) and all(
            disclosure.outcome_results_visible(x, today, live) for x in (baseline, wave))
        for key in [plan.current.primary_outcome, *plan.current.secondary_outcomes]:
            planned.append(_planned(key, short.get(key, key), key == plan.current.primary_outcome,
                                    data.grid(tuple(key.split("/", 1))), counted, in_arm, b, w, visible))
        secondary = [p for p in planned if not p.primary]
        for p, adjusted in zip(secondary, stats.holm([None if p.suppressed else p.ancova.p for p in secondary])):
            p.holm_p = adjusted
        primary_grid = data.grid(tuple(plan.current.primary_outcome.split("/", 1)))
        if wave and baseline:
            completers = _completers(primary_grid, counted, in_arm, b, w, visible)
            if planned and not planned[0].suppressed:
                completers.imputed = _imputed(primary_grid, counted, in_arm, b, w)
            else:
                completers.reason = planned[0].reason if planned else ""
    balance = []
    base_visible = bool(baseline) and disclosure.outcome_results_visible(baseline, today, live)
    counted_in = {arm: counted & in_arm[arm] for arm in ARMS}
    for i in chosen:
        for s in i.scales:
            grid = data.grids[(i.key, s.key)]
            answered = ~np.isnan(grid[b]) if baseline else None
            balance.append(BalanceRow(short[f"{i.key}/{s.key}"], {arm: _cell(
                grid[b, counted_in[arm] & answered] if baseline else [],
                base_visible) for arm in ARMS}))
    teams = Counter((team or NO_TEAM, arm) for team, arm in zip(facts["team"], facts["arm"]) if arm)
    team_rows = [(team, {arm: teams.get((team, arm), 0) for arm in ARMS})
                 for team in sorted({t for t, _ in teams})]
    dose_p = _dose_p(data, today, live, {} if dose is None else {tuple(scale_key): dose})
    instrument = instruments.get(scale_key[0])
    scale = instrument.scale(scale_key[1])
    reliable = (_reliable(scale, data.grid(scale_key), counted, in_arm, b, wave_list, today, live)
                if scale.reliability and baseline else [])
    return TrialAnalysis(plan, wave, planned, balance, team_rows,
                         {arm: facts["arm"].count(arm) for arm in ARMS}, completers,
                         reliable, (scale.reliability, scale.reliability_source) if scale.reliability else None,
                         dict(zip(dose_p, stats.holm(list(dose_p.values())))))


@dataclass
class EvaluationPage:
    """The evaluation page: the scale's own evaluation and the trial analysis."""

    overview: evaluation.Overview
    trial: TrialAnalysis


def page(programme: Programme, key: str, scale_key: str, *, today: date,
         live: bool) -> EvaluationPage | None:
    """``evaluation.overview`` of the chosen scale with ``analyse`` beside it; None when the
    programme has chosen no instrument yet."""
    data = evaluation.load(programme)
    overview = evaluation.overview(programme, key, scale_key, today=today, live=live, data=data)
    if overview is None:
        return None
    result = overview.result
    # The overview's dose-response of its scale is one of those the analysis adjusts together.
    return EvaluationPage(overview, analyse(programme, (result.instrument.key, result.scale.key),
                                            today=today, live=live, data=data, dose=overview.dose))
