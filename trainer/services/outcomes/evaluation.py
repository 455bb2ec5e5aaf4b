"""The lead's evaluation: per-arm outcomes over waves, change, between-arm effects, flow, dose."""
import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from itertools import repeat

import numpy as np
from sqlalchemy import Date, Integer, Row, and_, bindparam, case, cast, func, literal_column, null, select, union_all

from trainer import stats
from trainer.extensions import db
from trainer.models import (WAVE_KINDS, ActivitySummary, Membership, OutcomeResponse, OutcomeScore, OutcomeWave,
                            Programme, TrainingDay)
from trainer.services.outcomes import consort, instruments, outcomes
from trainer.services.privacy import disclosure, withdrawal
from trainer.services.scheduling import attendance
from trainer.services.system.rows import plain_rows

ARMS = ("intervention", "comparison")
CAVEATS = [
    "Participants were not randomly allocated to the two groups, so the groups may have differed "
    "before training in ways that the baseline adjustment does not capture.",
    "The groups are small, so the confidence intervals are wide: a true effect may be much "
    "smaller or larger than the estimate, and a real effect can go undetected.",
    "Several questionnaires and subscales are compared; some 'significant' differences are "
    "expected by chance alone. Look for a consistent pattern, not single p-values.",
    "Change and effects use complete cases: only people who answered both waves. People who "
    "left or did not answer may differ from those who did (attrition).",
]


@dataclass
class Cell:
    """Descriptives of one arm at one wave. Not shown (``reason`` says why, n None too) for
    fewer than 5 people or while the wave is open to a reader who must wait for it to close."""

    n: int | None
    desc: stats.Description | None
    reason: str = ""

    @property
    def suppressed(self) -> bool:
        """True when no statistic of the cell is shown."""
        return bool(self.reason)


@dataclass
class Change:
    """Mean change from baseline to a wave within one arm (pairs only)."""

    pairs: int | None
    diff: stats.PairedDifference | None
    reason: str = ""

    @property
    def suppressed(self) -> bool:
        """True when the change is not shown."""
        return bool(self.reason)


@dataclass
class Comparison:
    """Between-arm effects on change from baseline to one wave."""

    wave: OutcomeWave
    welch: stats.Welch | None
    g: stats.EffectSize | None
    ancova: stats.Ancova | None
    reason: str = ""
    # Hedges' g over the pooled baseline SD, comparable with published effect sizes.
    g_baseline: stats.EffectSize | None = None

    @property
    def suppressed(self) -> bool:
        """True when the comparison is not shown."""
        return bool(self.reason)


@dataclass
class ScaleEvaluation:
    """Everything the evaluation page shows for one instrument scale."""

    instrument: instruments.Instrument
    scale: instruments.Scale
    waves: list[OutcomeWave]
    cells: dict[tuple[str, int], Cell] = field(default_factory=dict)
    changes: dict[tuple[str, int], Change] = field(default_factory=dict)
    comparisons: list[Comparison] = field(default_factory=list)

    def chart(self) -> dict:
        """Means per arm over the waves with dashed 95% CI bounds, for <canvas data-chart>.

        Suppressed cells are left out (gaps).
        """
        def point(cell: Cell, attr: str):
            value = None if cell.suppressed or cell.desc is None else getattr(cell.desc, attr)
            return None if value is None else round(value, 3)

        datasets = []
        for arm, colour in zip(ARMS, ("#1d70b8", "#f47738")):
            cells = [self.cells[(arm, w.id)] for w in self.waves]
            datasets.append({"label": f"{arm.capitalize()} mean", "borderColor": colour,
                             "backgroundColor": colour, "data": [point(c, "mean") for c in cells]})
            for bound, attr in (("lower", "ci_low"), ("upper", "ci_high")):
                datasets.append({"label": f"{arm.capitalize()} 95% CI {bound}", "borderColor": colour,
                                 "backgroundColor": colour, "borderDash": [6, 4], "pointRadius": 0,
                                 "borderWidth": 1, "hideInLegend": True,
                                 "data": [point(c, attr) for c in cells]})
        return {"type": "line", "labels": [w.label for w in self.waves], "datasets": datasets,
                "options": {"plugins": {"title": {"display": True,
                                                  "text": f"{self.scale.title}: mean per group (95% CI dashed)"}}}}

    def not_shown(self) -> list[tuple[OutcomeWave, str, str]]:
        """(wave, groups, reason) of the cells left out of the table and the chart, one entry
        per wave and reason; ``groups`` is "both groups" or "intervention group" and so on."""
        result = []
        for w in self.waves:
            for reason in dict.fromkeys(self.cells[(arm, w.id)].reason for arm in ARMS):
                arms = [arm for arm in ARMS if reason and self.cells[(arm, w.id)].reason == reason]
                if arms:
                    result.append((w, "both groups" if len(arms) == 2 else f"{arms[0]} group", reason))
        return result


def score_table(programme: Programme, key: str, scale_key: str) -> dict[tuple[int, int], float]:
    """(membership id, wave id) -> score of one scale, from submitted responses."""
    rows = db.session.execute(
        select(OutcomeResponse.membership_id, OutcomeResponse.wave_id, OutcomeScore.value)
        .join(OutcomeScore).join(OutcomeWave)
        .where(OutcomeWave.programme_id == programme.id, OutcomeResponse.instrument_key == key,
               OutcomeResponse.submitted_at.is_not(None), OutcomeScore.scale_key == scale_key,
               OutcomeScore.value.is_not(None)))
    return {(m, w): v for m, w, v in rows}


# Every submitted score of the chosen instruments of a programme: built once, as it runs on
# every evaluation page.
_SCORES = (
    select(OutcomeResponse.instrument_key, OutcomeScore.scale_key, OutcomeResponse.membership_id,
           OutcomeResponse.wave_id, OutcomeScore.value)
    .join(OutcomeScore).join(OutcomeWave)
    .where(OutcomeWave.programme_id == bindparam("programme_id"),
           OutcomeResponse.instrument_key.in_(bindparam("keys", expanding=True)),
           OutcomeResponse.submitted_at.is_not(None), OutcomeScore.value.is_not(None)))


def score_grids(programme: Programme, chosen: list[instruments.Instrument],
                wave_list: list[OutcomeWave], members: list,
                ids: np.ndarray | None = None) -> dict[tuple[str, str], np.ndarray]:
    """Every scale of the ``chosen`` instruments as a grid of scores, from one query:
    (instrument key, scale key) -> array of one row per wave (``wave_list``'s order) and one
    column per participant (``members``' order, by id), NaN where there is no score. Groups are
    then picked by masks over whole rows, not by looking people up one at a time. ``ids``:
    the members' ids as an array, when the caller has it."""
    keys = [(i.key, s.key) for i in chosen for s in i.scales]
    cube = np.full((len(keys), len(wave_list), len(members)), np.nan)
    grids = dict(zip(keys, cube))
    if not keys or not members:
        return grids
    index = {key: n for n, key in enumerate(keys)}
    wave_row = {w.id: n for n, w in enumerate(wave_list)}
    ids = _ids(members) if ids is None else ids
    # Thousands of rows live only until they are in the grid: the garbage collector, run while
    # they exist, would walk every object of the process, several times the cost of the query.
    with _no_garbage_collection():
        rows = plain_rows(_SCORES, {"programme_id": programme.id, "keys": [i.key for i in chosen]})
        if not rows:
            return grids
        instrument_keys, scale_keys, mids, wids, values = zip(*rows)
        del rows
        # Looked up with map, not a loop of Python statements.
        scale = np.fromiter(map(index.get, zip(instrument_keys, scale_keys), repeat(-1)),
                            dtype=np.intp, count=len(mids))
        row = np.fromiter(map(wave_row.get, wids, repeat(-1)), dtype=np.intp, count=len(mids))
        mids = np.array(mids, dtype=np.int64)
        values = np.array(values, dtype=float)
        del instrument_keys, scale_keys, wids
    column = np.minimum(np.searchsorted(ids, mids), len(ids) - 1)
    # Scores of a scale no longer scored, of someone who is not a participant, or of a wave added
    # since the waves were read, are not read.
    keep = (scale >= 0) & (row >= 0) & (ids[column] == mids)
    cube[scale[keep], row[keep], column[keep]] = values[keep]
    return grids


@contextmanager
def _no_garbage_collection():
    """The cyclic garbage collector paused for the block (if it was running): plain rows hold no
    cycles, and they are freed by their reference counts when the block's owner drops them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _grid(scores: dict[tuple[int, int], float], wave_list: list[OutcomeWave],
          members: list) -> np.ndarray:
    """A ``score_table`` as one scale's grid of ``score_grids``."""
    grid = np.full((len(wave_list), len(members)), np.nan)
    for i, wave in enumerate(wave_list):
        for j, m in enumerate(members):
            grid[i, j] = scores.get((m.id, wave.id), np.nan)
    return grid


_PARTICIPANTS = (
    select(Membership.id, Membership.arm, Membership.team, Membership.in_post, Membership.left_on,
           Membership.leaver_category, Membership.withdrawn_on, Membership.withdrawn_from,
           Membership.answers_kept)
    .where(Membership.programme_id == bindparam("programme_id"), Membership.role == "participant")
    .order_by(Membership.id))


def participants(programme: Programme) -> list:
    """The programme's participants (both arms), as rows of the facts the evaluation reads
    (id, arm, team, in post and leaving, withdrawal): plain rows, not entities, so a large cohort
    loads fast."""
    return plain_rows(_PARTICIPANTS, {"programme_id": programme.id})


_FACTS = tuple(_PARTICIPANTS.selected_columns.keys())


def columns(members: list) -> dict[str, tuple]:
    """The facts of ``participants`` as one tuple per fact, by name, in ``members``' order.
    Its rows are transposed at once: read fact by fact, by name, a large cohort's rows cost
    more than the statistics drawn from them. Entities (or other rows) are read by name."""
    if all(type(m) is Row for m in members) and (not members or members[0]._fields == _FACTS):
        return dict(zip(_FACTS, zip(*members))) if members else dict.fromkeys(_FACTS, ())
    return {name: tuple(getattr(m, name) for m in members) for name in _FACTS}


def _ids(members: list) -> np.ndarray:
    return np.fromiter((m.id for m in members), dtype=np.int64, count=len(members))


@dataclass
class Doses:
    """What each participant received: practice minutes logged and training days attended
    (by membership id), and how many training days were held."""

    minutes: dict[int, int]
    days: dict[int, int]
    held: int


# Built once, as are the statements above: every evaluation page runs them.
_MINUTES = (
    select(ActivitySummary.membership_id, func.coalesce(func.sum(ActivitySummary.minutes), 0))
    .join(Membership).where(Membership.programme_id == bindparam("programme_id"))
    .group_by(ActivitySummary.membership_id))


def doses(programme: Programme) -> Doses:
    """Practice minutes from the activity summaries (kept in step with the logs) and days
    attended from ``attendance.day_attendance``, for every participant of the programme: the
    rule person by person, which ``exposures`` counts in one statement."""
    minutes = dict(plain_rows(_MINUTES, {"programme_id": programme.id}))
    held_days = attendance.day_attendance(programme)
    return Doses(minutes, attendance.days_attended(programme, held_days), len(held_days))


def _exposures_statement():
    """Per participant of the programme, by id: practice minutes logged (the activity
    summaries' sum), training days attended (``attendance.day_register``, which follows
    ``attendance.day_attendance``; 0 for none) and how many training days were held. Built once:
    every evaluation page runs it."""
    programme_id = bindparam("programme_id")
    # The summaries of the programme's members, read through the summaries' primary key
    # (membership first) between the lowest and highest of their ids: joined on membership alone,
    # PostgreSQL reads every programme's summaries. The range only narrows the search.
    ids = select(func.min(Membership.id), func.max(Membership.id)).where(
        Membership.programme_id == programme_id).subquery()
    minutes = (select(ActivitySummary.membership_id, func.sum(ActivitySummary.minutes).label("minutes"))
               .join(Membership).where(Membership.programme_id == programme_id,
                                       ActivitySummary.membership_id.between(
                                           select(ids.c[0]).scalar_subquery(), select(ids.c[1]).scalar_subquery()))
               .group_by(ActivitySummary.membership_id).subquery())
    marks = attendance.day_register(programme_id)
    days = (select(marks.c.membership_id, func.sum(marks.c.attended).label("days"))
            .group_by(marks.c.membership_id).subquery())
    held = (select(func.count().label("held")).select_from(TrainingDay)
            .where(TrainingDay.programme_id == programme_id, TrainingDay.cancelled.is_(False)).subquery())
    # From the one row of the days held, so that it comes even when there is no participant
    # (then with no id).
    return (select(held.c.held, Membership.id, func.coalesce(minutes.c.minutes, 0),
                   func.coalesce(days.c.days, 0))
            .select_from(held)
            .outerjoin(Membership, and_(Membership.programme_id == programme_id,
                                        Membership.role == "participant"))
            .outerjoin(minutes, minutes.c.membership_id == Membership.id)
            .outerjoin(days, days.c.membership_id == Membership.id)
            .order_by(Membership.id))


_EXPOSURES = _exposures_statement()


def exposures(programme: Programme, members: list,
              ids: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """``doses`` as arrays in ``members``' order (by id): practice minutes and training days
    attended (0 for none), and the number of training days held; one statement whatever the
    number of participants and days. ``ids``: the members' ids as an array, when the caller
    has it."""
    rows = plain_rows(_EXPOSURES, {"programme_id": programme.id})
    minutes = np.zeros(len(members), dtype=np.int64)
    days = np.zeros(len(members), dtype=np.int64)
    held = int(rows[0][0])
    if rows[0][1] is None:  # no participant: the days held alone
        rows = []
    if rows and members:
        ids = _ids(members) if ids is None else ids
        _, found, got_minutes, got_days = (np.array(column, dtype=np.int64) for column in zip(*rows))
        column = np.minimum(np.searchsorted(ids, found), len(ids) - 1)
        # Someone who became a participant since the participants were read is not counted.
        keep = ids[column] == found
        minutes[column[keep]] = got_minutes[keep]
        days[column[keep]] = got_days[keep]
    return minutes, days, held


@dataclass
class Loaded:
    """What the evaluation page reads, loaded once and shared by its parts: the waves, the
    participants, the chosen instruments and every chosen scale's grid of scores
    (``score_grids``); ``exposures`` on first use. ``columns`` holds the participants' facts
    (``columns``), ``ids`` their ids and ``arms`` each one's arm ("" when not allocated), in the
    grids' column order."""

    programme: Programme
    waves: list[OutcomeWave]
    members: list
    chosen: list[instruments.Instrument]
    grids: dict[tuple[str, str], np.ndarray]
    _exposures: tuple[np.ndarray, np.ndarray, int] | None = None
    columns: dict[str, tuple] | None = None
    ids: np.ndarray = field(init=False)
    arms: np.ndarray = field(init=False)

    def __post_init__(self):
        if self.columns is None:
            self.columns = columns(self.members)
        self.ids = np.array(self.columns["id"], dtype=np.int64)
        # As _arms has them, from the column rather than row by row.
        self.arms = np.array([arm or "" for arm in self.columns["arm"]], dtype=str)

    def exposures(self) -> tuple[np.ndarray, np.ndarray, int]:
        """``exposures`` of the programme's participants in the grids' column order (practice
        minutes, training days attended; 0 for none) and the number of training days held,
        loaded the first time they are asked for."""
        if self._exposures is None:
            self._exposures = exposures(self.programme, self.members, self.ids)
        return self._exposures

    def in_arm(self, arm: str) -> np.ndarray:
        """Which participants are in ``arm`` (``arms == arm``), worked out once; read-only."""
        masks = self.__dict__.setdefault("_in_arm", {})
        if arm not in masks:
            masks[arm] = self.arms == arm
            masks[arm].flags.writeable = False
        return masks[arm]

    def grid(self, key: tuple[str, str]) -> np.ndarray:
        """The grid of the scale ``key`` (instrument, scale); all NaN for a scale not chosen."""
        grid = self.grids.get(key)
        return np.full((len(self.waves), len(self.members)), np.nan) if grid is None else grid


def load(programme: Programme) -> Loaded:
    """``Loaded`` for ``programme``: five queries whatever the number of scales."""
    chosen = outcomes.chosen_instruments(programme)
    wave_list, members = outcomes.waves(programme), participants(programme)
    facts = columns(members)
    return Loaded(programme, wave_list, members, chosen,
                  score_grids(programme, chosen, wave_list, members, np.array(facts["id"], dtype=np.int64)),
                  columns=facts)


def evaluate(programme: Programme, key: str, scale_key: str, *, today: date,
             live: bool = False) -> ScaleEvaluation:
    """Per-arm n/mean/SD/CI at each wave, change from baseline, and between-arm effects.

    Under disclosure's rules: a cell shows for 5 or more people, a change for 5 or more
    pairs, a between-arm comparison when both arms have 5 or more pairs; and, unless ``live``
    (an evaluator), nothing of a wave until it has closed on local date ``today``. Hedges' g is
    the standardised difference in change (intervention minus comparison); ANCOVA is the wave's
    score adjusted for baseline.
    """
    instrument = instruments.get(key)
    wave_list, members = outcomes.waves(programme), participants(programme)
    data = Loaded(programme, wave_list, members, [instrument],
                  {(key, scale_key): _grid(score_table(programme, key, scale_key), wave_list, members)})
    return evaluate_loaded(data, instrument, instrument.scale(scale_key), today=today, live=live)


def evaluate_loaded(data: Loaded, instrument: instruments.Instrument, scale: instruments.Scale, *,
                    today: date, live: bool = False) -> ScaleEvaluation:
    """``evaluate`` of one of ``data``'s chosen scales, from what ``data`` has loaded."""
    return _evaluate_grid(instrument, scale, data.waves, data.grid((instrument.key, scale.key)),
                          data.arms, today, live)


def _evaluate(instrument: instruments.Instrument, scale: instruments.Scale,
              wave_list: list[OutcomeWave], scores: dict[tuple[int, int], float],
              members: list[Membership], today: date, live: bool) -> ScaleEvaluation:
    """``_evaluate_grid`` of a ``score_table`` and its participants."""
    return _evaluate_grid(instrument, scale, wave_list, _grid(scores, wave_list, members),
                          _arms(members), today, live)


def _arms(members: list) -> np.ndarray:
    """Each participant's arm ("" when not allocated), in ``members``' order."""
    return np.array([m.arm or "" for m in members], dtype=str)


def _evaluate_grid(instrument: instruments.Instrument, scale: instruments.Scale,
                   wave_list: list[OutcomeWave], grid: np.ndarray, arms: np.ndarray, today: date,
                   live: bool) -> ScaleEvaluation:
    # Groups are taken in the participants' order, so sums add up in the same order as ever.
    result = ScaleEvaluation(instrument, scale, wave_list)
    b = next((i for i, w in enumerate(wave_list) if w.kind == "baseline"), None)
    visible = [disclosure.outcome_results_visible(w, today, live) for w in wave_list]
    answered = ~np.isnan(grid)
    in_arm = {arm: arms == arm for arm in ARMS}
    # Groups go to the statistics as arrays: the same numbers in the same order as lists would
    # give, without converting thousands of them to Python floats and back.
    for i, wave in enumerate(wave_list):
        for arm in ARMS:
            values = grid[i, answered[i] & in_arm[arm]]
            why = disclosure.reason(len(values), visible[i])
            result.cells[(arm, wave.id)] = Cell(None if why else len(values),
                                                None if why else stats.describe(values), why)
        if b is None or wave.kind == "baseline":
            continue
        if not (visible[i] and visible[b]):
            for arm in ARMS:
                result.changes[(arm, wave.id)] = Change(None, None, disclosure.WAVE_OPEN)
            result.comparisons.append(Comparison(wave, None, None, None, disclosure.WAVE_OPEN))
            continue
        both = answered[b] & answered[i]
        pre, post, group = grid[b, both], grid[i, both], in_arm["intervention"][both]
        change = {arm: (post - pre)[in_arm[arm][both]] for arm in ARMS}
        for arm in ARMS:
            why = disclosure.reason(len(change[arm]))
            result.changes[(arm, wave.id)] = Change(None if why else len(change[arm]), None if why else
                                                    stats.mean_change(change[arm]), why)
        why = next((disclosure.reason(len(change[arm])) for arm in ARMS
                    if disclosure.reason(len(change[arm]))), "")
        result.comparisons.append(Comparison(
            wave, None if why else stats.welch(change["intervention"], change["comparison"]),
            None if why else stats.hedges_g(change["intervention"], change["comparison"]),
            None if why else stats.ancova(pre, post, group), why,
            None if why else stats.hedges_g_baseline(*_by_arm(pre, post, group))))
    return result


def _by_arm(pre: np.ndarray, post: np.ndarray, group: np.ndarray) -> list[np.ndarray]:
    """[pre, post] of the intervention arm, then of the comparison arm (``group`` True for the
    intervention arm), each in the participants' order."""
    return [values[group == arm] for arm in (True, False) for values in (pre, post)]


@dataclass
class FlowBox:
    """One box of the participant flow diagram: a stage and its count per arm.

    A count may be a phrase instead of a number: "not invited" (the comparison arm at training
    days) or "not recorded yet" (a training day whose register has not been taken).
    """

    stage: str
    counts: dict[str, int | str]
    key: str = ""  # the stage's name in the CONSORT diagram, if it is drawn there


@dataclass(frozen=True)
class FlowGroup:
    """Participants who share every fact the flow counts, and how many they are (``people``).

    ``id`` stands in for a membership id (unique among the groups, never a real one) so the
    stage rules that take sets of ids (``consort.lost_counts``) read groups as they read people.
    ``answered``: the kinds of the waves they answered (submitted).
    """

    id: int
    arm: str | None
    in_post: bool
    leaver_category: str | None
    withdrawn_on: date | None
    answers_kept: bool | None
    answered: frozenset[str]
    people: int

    @property
    def later(self) -> bool:
        """They answered a wave after the baseline."""
        return any(kind != "baseline" for kind in self.answered)


def _flow_statements(answers_joined: bool):
    """The flow's two statements, built once: the participants counted per combination of the
    facts the flow reads (``FlowGroup``) together with the programme's held training days and how
    many intervention participants were marked and attended at each (one statement: the marks are
    read once, as a common table the parts count), and the waves. Rows per group, day and wave:
    their number does not grow with the cohort, and no participant is loaded. A row of the first
    statement is a group when ``part`` is 0 (its day columns empty), a day when it is 1 (its group
    columns empty), and when it is 2 the intervention participants who attended at least one
    held day (``known``) and every held day (``attended``): what the flow reads of each
    participant's days, counted from the marks alone, so the groups need not join them.

    A programme has at most one wave of each kind, so "answered the wave" is "answered the
    programme's wave of that kind". Attendance follows ``attendance.day_attendance``: a marked
    participant attended a day with sessions when a session's own mark, else the day's, is
    present or late at any of them, and a day without sessions when the day's mark is.

    Which waves each participant answered comes, with ``answers_joined``, from their submitted
    responses grouped by participant in one pass and joined (PostgreSQL hashes them: one scan of
    the responses instead of one per kind); without it, as a look-up of the participant's
    response to the programme's wave of each kind (SQLite, which looks up an index faster than
    it groups and joins). Both answer the same.
    """
    programme_id = bindparam("programme_id")
    held = and_(TrainingDay.programme_id == programme_id, TrainingDay.cancelled.is_(False))
    # Read once by the statement (a common table): the groups and the days held both count them.
    marks = attendance.day_register(programme_id, cte="marks")
    per_person = (select(marks.c.membership_id, func.sum(marks.c.attended).label("days"))
                  .group_by(marks.c.membership_id).subquery())
    held_count = select(func.count(TrainingDay.id)).where(held).scalar_subquery()

    def wave_of(kind: str):
        # The programme's wave of that kind, found once (a subquery of its own, not correlated).
        return (select(OutcomeWave.id).where(OutcomeWave.programme_id == programme_id, OutcomeWave.kind == kind)
                .scalar_subquery())

    def answered(kind: str):
        return (select(OutcomeResponse.id)
                .where(OutcomeResponse.membership_id == Membership.id, OutcomeResponse.wave_id == wave_of(kind),
                       OutcomeResponse.submitted_at.is_not(None))
                .correlate(Membership).exists().label(kind.replace("-", "_")))

    answers = (select(OutcomeResponse.membership_id,
                      *(func.max(case((OutcomeWave.kind == kind, 1), else_=0)).label(kind.replace("-", "_"))
                        for kind in WAVE_KINDS))
               .join(OutcomeWave, OutcomeWave.id == OutcomeResponse.wave_id)
               .where(OutcomeWave.programme_id == programme_id, OutcomeResponse.submitted_at.is_not(None))
               .group_by(OutcomeResponse.membership_id).subquery())
    if answers_joined:
        kinds = [func.coalesce(answers.c[kind.replace("-", "_")], 0).label(kind.replace("-", "_"))
                 for kind in WAVE_KINDS]
    else:
        kinds = [answered(kind) for kind in WAVE_KINDS]

    people = select(Membership.arm, Membership.in_post, Membership.leaver_category, Membership.withdrawn_on,
                    Membership.answers_kept, *kinds)
    if answers_joined:
        people = people.outerjoin(answers, answers.c.membership_id == Membership.id)
    people = people.where(Membership.programme_id == programme_id, Membership.role == "participant").subquery()
    # The day columns, empty in a group's row; the group columns, empty in a day's row (typed, so
    # each column reads back as its type whichever part fills it).
    no_day = [cast(null(), Integer).label("day_id"), cast(null(), Date).label("day"),
              cast(null(), Integer).label("known"), cast(null(), Integer).label("attended")]
    groups = (select(literal_column("0").label("part"), *people.c, func.count().label("people"), *no_day)
              .group_by(*people.c))
    no_group = [cast(null(), column.type) for column in people.c] + [cast(null(), Integer)]
    days = (select(literal_column("1"), *no_group, TrainingDay.id, TrainingDay.day,
                   func.count(marks.c.day_id), func.coalesce(func.sum(marks.c.attended), 0))
            .outerjoin(marks, marks.c.day_id == TrainingDay.id).where(held)
            .group_by(TrainingDay.id, TrainingDay.day))
    waves = select(OutcomeWave.id, OutcomeWave.kind, OutcomeWave.label, OutcomeWave.closes_on).where(
        OutcomeWave.programme_id == programme_id)
    trained = select(literal_column("2"), *no_group, cast(null(), Integer), cast(null(), Date),
                     func.count().filter(per_person.c.days >= 1),
                     func.count().filter(per_person.c.days == held_count)).select_from(per_person)
    return union_all(groups, days, trained), waves


# Per dialect (see _flow_statements): SQLite looks each participant's answers up, PostgreSQL joins them.
_LOOKED_UP, _FLOW_WAVES = _flow_statements(False)
_FLOW_GROUPS_AND_DAYS = {"sqlite": _LOOKED_UP, "postgresql": _flow_statements(True)[0]}


def flow(programme: Programme) -> list[FlowBox]:
    """CONSORT-style flow per arm: enrolled, allocated, attended each training day (and all of
    them), received the training (1 day or more), answered each wave, withdrew (when; answers
    kept or deleted), lost to follow-up (with reasons), analysed, in post. Boxes with a ``key``
    are drawn in the CONSORT diagram (``consort.diagram``).

    Attendance follows attendance.day_attendance (present or late at the day or any of its
    sessions; cancelled days left out). "Analysed" counts people with a baseline and at least one
    later submitted response.

    Everything is counted in SQL (``_flow_statements``): two statements, whose rows do not grow
    with the cohort.
    """
    params = {"programme_id": programme.id}
    groups, held_days, trained, every = [], [], 0, 0
    statement = _FLOW_GROUPS_AND_DAYS[db.session.get_bind().dialect.name]
    for row in plain_rows(statement, params):
        part, arm, in_post, category, withdrawn_on, kept, *answered, people, day_id, day, known, came = row
        if part == 1:
            held_days.append(HeldDay(day_id, day, known, came))
        elif part == 2:
            trained, every = known or 0, came or 0
        else:
            groups.append(FlowGroup(-len(groups) - 1, arm, bool(in_post), category, withdrawn_on, kept,
                                    frozenset(k for k, yes in zip(WAVE_KINDS, answered) if yes), people))
    held_days.sort(key=lambda d: (d.day, d.id))
    wave_list = sorted(plain_rows(_FLOW_WAVES, params), key=lambda w: WAVE_KINDS.index(w.kind))

    def count(arm: str, rule=lambda g: True) -> int:
        return sum(g.people for g in groups if g.arm == arm and rule(g))

    boxes = [FlowBox("Enrolled", {"all": sum(g.people for g in groups)}, "enrolled"),
             FlowBox("Allocated", {arm: count(arm) for arm in ARMS}, "allocated")]
    boxes += _training_day_boxes(held_days, trained, every)
    for wave in wave_list:
        boxes.append(FlowBox(f"Answered: {wave.label}",
                             {arm: count(arm, lambda g: wave.kind in g.answered) for arm in ARMS}))
    later = {g.id for g in groups if g.later}
    boxes += [FlowBox(label, counts) for label, counts in withdrawal.withdrawal_counts(groups, wave_list)]
    boxes += [FlowBox(label, counts, key) for key, label, counts in consort.withdrawn_counts(groups)]
    boxes += [FlowBox(label, counts, key) for key, label, counts in consort.lost_counts(groups, later)]
    has_baseline = any(w.kind == "baseline" for w in wave_list)
    boxes.append(FlowBox("Analysed (baseline and a later wave)",
                         {arm: count(arm, lambda g: has_baseline and "baseline" in g.answered and g.later)
                          for arm in ARMS}, "analysed"))
    boxes.append(FlowBox("Still in post", {arm: count(arm, lambda g: g.in_post) for arm in ARMS}))
    return boxes


def flow_with_diagram(programme: Programme) -> tuple[list[FlowBox], consort.Diagram]:
    """The flow's boxes and the CONSORT diagram drawn from the same numbers."""
    boxes = flow(programme)
    return boxes, consort.diagram(boxes)


@dataclass(frozen=True)
class HeldDay:
    """A held training day of the flow: how many intervention participants were marked
    (``known``) and attended."""

    id: int
    day: date
    known: int
    attended: int


def _training_day_boxes(days: list[HeldDay], trained: int, every: int) -> list[FlowBox]:
    """The boxes of the held days, then those who attended all of them (``every``, shown when
    there are two or more, all recorded) and at least one (``trained``)."""
    boxes = []
    for number, day in enumerate(days, start=1):
        count = day.attended if day.known else "not recorded yet"
        boxes.append(FlowBox(f"Attended training day {number} ({day.day:%-d %B %Y})",
                             {"intervention": count, "comparison": "not invited"}))
    if len(days) > 1 and all(day.known for day in days):
        boxes.append(FlowBox(f"Attended all {len(days)} training days",
                             {"intervention": every, "comparison": "not invited"}))
    boxes.append(FlowBox("Received the training (attended at least 1 training day)",
                         {"intervention": trained, "comparison": "not invited"}, "trained"))
    return boxes


@dataclass
class Exposure:
    """One exposure against change: (amount, change) per participant and Pearson's r."""

    label: str
    points: list[tuple[int, float]]
    correlation: stats.Correlation
    x_axis: dict = field(default_factory=dict)

    def chart(self, title: str) -> dict:
        """A scatter of (exposure, change) for <canvas data-chart>."""
        return {"type": "scatter", "datasets": [{"label": "Intervention participants", "data": [
            {"x": x, "y": round(y, 3)} for x, y in self.points]}],
            "options": {"plugins": {"title": {"display": True, "text": title}},
                        "scales": {"x": {"title": {"display": True, "text": self.label}, **self.x_axis},
                                   "y": {"title": {"display": True, "text": "Change from baseline"}}}}}


@dataclass
class DoseResponse:
    """Exploratory, intervention arm only: practice minutes and training days attended, each
    against change in one scale. Empty when not shown (``reason``): fewer than 5 people
    qualify, or the wave is still open to a reader who must wait for it to close."""

    exposures: list[Exposure]
    reason: str = ""

    @property
    def suppressed(self) -> bool:
        """True when nothing is shown."""
        return bool(self.reason)


def dose_response(programme: Programme, key: str, scale_key: str, wave: OutcomeWave, *,
                  today: date, live: bool = False) -> DoseResponse:
    """Practice minutes (from activity logs) and training days attended (attendance.days_attended)
    against change from baseline to ``wave``, for intervention participants with both scores;
    shown for 5 or more such people once both waves have closed (at once when ``live``)."""
    wave_list, members = outcomes.waves(programme), participants(programme)
    data = Loaded(programme, wave_list, members, [instruments.get(key)],
                  {(key, scale_key): _grid(score_table(programme, key, scale_key), wave_list, members)})
    return dose_response_of(data, data.grid((key, scale_key)), wave, today, live)


def dose_response_of(data: Loaded, grid: np.ndarray, wave: OutcomeWave, today: date,
                     live: bool, *, points: bool = True) -> DoseResponse:
    """``dose_response`` of one scale's grid of ``data``; without ``points`` the exposures carry
    the correlations only (the scatter left empty), for callers that show no chart."""
    rows = _dose_rows(data, wave, today, live)
    return DoseResponse([], rows) if isinstance(rows, str) else _dose_of_grid(data, grid, rows, points)


def dose_responses(data: Loaded, wave: OutcomeWave, today: date, live: bool, *,
                   known: dict[tuple[str, str], DoseResponse] | None = None,
                   ) -> dict[tuple[str, str], DoseResponse]:
    """``dose_response_of`` of every chosen scale of ``data`` (by instrument and scale key),
    without points (``known`` ones, computed by the caller against ``wave``, as they are): the
    waves looked up and their visibility decided once for all scales."""
    known = known or {}
    rows = _dose_rows(data, wave, today, live)
    return {key: known[key] if key in known else
            DoseResponse([], rows) if isinstance(rows, str) else _dose_of_grid(data, grid, rows, False)
            for key, grid in data.grids.items()}


def _dose_rows(data: Loaded, wave: OutcomeWave, today: date, live: bool) -> tuple[int, int] | None | str:
    """The grids' rows of the baseline and of ``wave`` (None without a baseline), or why no
    dose-response shows (the waves are still open to the reader)."""
    wave_list = data.waves
    baseline = next((w for w in wave_list if w.kind == "baseline"), None)
    if not all(disclosure.outcome_results_visible(w, today, live) for w in (wave, baseline) if w):
        return disclosure.WAVE_OPEN
    if baseline is None:
        return None
    b, w = (next(i for i, x in enumerate(wave_list) if x.id == y.id) for y in (baseline, wave))
    return b, w


def _dose_of_grid(data: Loaded, grid: np.ndarray, rows: tuple[int, int] | None, points: bool) -> DoseResponse:
    """``dose_response_of`` of ``grid`` once ``_dose_rows`` has found the waves' rows."""
    if rows is None:
        change = np.zeros(0)
        treated = np.zeros(len(data.members), dtype=bool)
    else:
        b, w = rows
        treated = data.in_arm("intervention") & ~np.isnan(grid[b]) & ~np.isnan(grid[w])
        change = grid[w, treated] - grid[b, treated]
    # Loaded whether or not enough people qualify, so the page's queries do not depend on it.
    minutes, days, held = data.exposures()
    if disclosure.reason(len(change)):
        return DoseResponse([], disclosure.reason(len(change)))
    exposures = []
    # Whole training days on the x axis, from none to all of them.
    for label, amount, axis in (("Practice minutes logged", minutes, {}),
                                ("Training days attended", days,
                                 {"min": 0, "max": held, "offset": True, "ticks": {"stepSize": 1}})):
        x = amount[treated]
        # Arrays to the statistics (the same numbers as lists); the scatter's points as Python numbers.
        exposures.append(Exposure(label, list(zip(x.tolist(), change.tolist())) if points else [],
                                  stats.pearson(x, change), axis))
    return DoseResponse(exposures)


@dataclass
class Overview:
    """The lead's evaluation page: the programme's instruments, one scale's evaluation, and its
    dose-response against the post wave (None before a post wave exists)."""

    chosen: list[instruments.Instrument]
    result: ScaleEvaluation
    dose: DoseResponse | None


def overview(programme: Programme, key: str, scale_key: str, *, today: date,
             live: bool = False, data: Loaded | None = None) -> Overview | None:
    """The evaluation of the instrument ``key`` and scale ``scale_key`` (the first chosen
    instrument and its first scale when not chosen or unknown), from one load of the waves,
    scores and participants (``data``, when the caller has it), under ``evaluate``'s rules.
    None when the programme has chosen no instrument yet."""
    data = load(programme) if data is None else data
    instrument = next((i for i in data.chosen if i.key == key), data.chosen[0] if data.chosen else None)
    if instrument is None:
        return None
    scale = next((s for s in instrument.scales if s.key == scale_key), instrument.scales[0])
    grid = data.grid((instrument.key, scale.key))
    result = _evaluate_grid(instrument, scale, data.waves, grid, data.arms, today, live)
    post = next((c.wave for c in result.comparisons if c.wave.kind == "post"), None)
    dose = dose_response_of(data, grid, post, today, live) if post else None
    return Overview(data.chosen, result, dose)
