"""The ratings report: statistics per module and wave, change between waves, comments and the
register beside them, under the disclosure rules of trainer.services.disclosure."""
import dataclasses
import textwrap
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, bindparam, exists, func, literal, literal_column, null, select, union_all
from sqlalchemy.orm import aliased

from trainer import stats
from trainer.clock import today_in
from trainer.extensions import db
from trainer.models import Membership, Module, ModuleRating, Programme, RatingResponse, RatingWave, User
from trainer.services.privacy import disclosure
from trainer.services.scheduling import attendance
from trainer.services.ratings.ratings import SCALE, list_waves, wave_state


@dataclass(frozen=True)
class Attendance:
    """The register beside a module's ratings (what people did, never hidden): expected
    participants whose attendance is known, how many attended and missed it, and how many who
    missed it gave it a usefulness score (a response figure: None when the raters' group is
    not shown)."""

    recorded: bool
    attended: int | None
    missed: int | None
    missed_but_rated: int | None


@dataclass(frozen=True)
class ModuleStats:
    """One module in one wave. When not ``shown`` (``reason`` says why), no statistic of its
    responses is given: not n, not the distribution, not its comments."""

    module: Module
    shown: bool
    reason: str
    n: int | None
    summary: stats.Description | None
    distribution: list[tuple[int, int]]
    response_rate: float | None
    did_not_attend: int | None
    comments: list[str]
    attendance: Attendance

    @property
    def suppressed(self) -> bool:
        """True when no statistic of the module's responses is shown."""
        return not self.shown


@dataclass(frozen=True)
class WaveReport:
    """The ranked modules of one wave, with a chart of exactly the shown modules. ``invited``
    and ``answered`` count what people did and always show; ``results`` is False while the
    wave is open to a reader who must wait for it to close."""

    wave: RatingWave
    modules: list[ModuleStats]
    invited: int
    answered: int
    results: bool
    chart: dict
    state: str = "closed"

    @property
    def not_shown(self) -> list[ModuleStats]:
        """Modules whose statistics are not shown, for the words beside the chart."""
        return [m for m in self.modules if not m.shown]


@dataclass(frozen=True)
class ChangeRow:
    """First-to-second wave change of one module, over participants who rated it in both."""

    module: Module
    shown: bool
    reason: str
    n: int | None
    change: stats.PairedDifference | None

    @property
    def suppressed(self) -> bool:
        """True when the change is not shown."""
        return not self.shown


@dataclass
class Report:
    """Everything the dashboard, the printable report and its CSV show."""

    programme: Programme
    waves: list[RatingWave]
    teams: list[tuple[str, str]]
    wave_id: int | None
    team: str | None
    live: bool = False
    evaluator: bool = False
    wave_reports: list[WaveReport] = field(default_factory=list)
    change: list[ChangeRow] = field(default_factory=list)
    change_waves: tuple[RatingWave, RatingWave] | None = None
    change_visible: bool = True
    scale: dict[int, str] = field(default_factory=lambda: dict(SCALE))

    @property
    def team_label(self) -> str | None:
        """The chosen part's label ("Other teams" for the merged part), None for all teams."""
        return dict(self.teams).get(self.team) if self.team else None


# Everything below is counted in SQL per part of the team partition (each row carries the
# team and role that decide its part), never read a row per rating: a cohort of thousands costs
# what a cohort of fifty does. The statements are built once, with the programme as a parameter.
_PROGRAMME = bindparam("programme_id")
_OURS = (Membership.programme_id == _PROGRAMME, Membership.arm == "intervention")

_WAVES = select(RatingWave.id).where(RatingWave.programme_id == _PROGRAMME)
# The register (attendance.module_register), counted per module and team below: its counts
# (rows that add up) and who missed a module (attendance.module_register_tally).
_register_counts, _missed = attendance.module_register_tally(_PROGRAMME)

# What the report counts, in one statement (one round trip), each row tagged with its kind
# (a column a kind does not have is NULL):
# SCORE: per wave, module, part and score (None: "did not attend"), how many answered so
#   (n) and how many of them said they did not attend (m);
# ASKED: per wave and part, participants asked (n) and how many of them answered (m);
# COMMENT: the comments, with the cell and part they belong to (few: most ratings have none);
# REGISTER: per module and team, how many attended (n) and how many missed it (m), in rows
#   that add up (attendance.module_register_tally);
# MISSED_RATED: per wave, module and team, how many who missed it gave it a score (m).
SCORE, ASKED, COMMENT, REGISTER, MISSED_RATED = range(5)
_none = null()


def _counts(by_part: bool):
    """The statement of what the report counts (above) and the one of its paired scores
    (below), per part (each row carries the team and role that decide its part) or, with
    ``by_part`` False, for everyone at once (team and role NULL: every row in one part).

    The report for all teams adds every part up, so it asks for the sums: fewer groups to
    count (the cost of the statement on SQLite is mostly its grouping) and fewer rows to read,
    from the same statement with fewer columns in its GROUP BYs, so the two cannot count
    differently (and a test holds them equal)."""
    part = (Membership.team, Membership.role) if by_part else ()
    part_or_none = part or (_none, _none)

    # Per wave and part: participants asked (a response row, or any answer) and how many of
    # them answered (any rating). The two branches are disjoint, so one count adds them up.
    asked_only = (select(RatingResponse.wave_id, *part, literal(0).label("answered"))
                  .join(Membership, Membership.id == RatingResponse.membership_id)
                  .where(*_OURS, ~exists().where(ModuleRating.wave_id == RatingResponse.wave_id,
                                                 ModuleRating.membership_id == RatingResponse.membership_id)))
    # Who answered each of the programme's waves (the report reads no other wave's counts),
    # found in the ratings' (wave, membership) index before anyone's team is looked up: a
    # lookup per person, not per rating.
    raters = (select(ModuleRating.wave_id, ModuleRating.membership_id).where(ModuleRating.wave_id.in_(_WAVES))
              .group_by(ModuleRating.wave_id, ModuleRating.membership_id).subquery())
    answered = (select(raters.c.wave_id, *part, literal(1).label("answered"))
                .join(Membership, Membership.id == raters.c.membership_id).where(*_OURS))
    people = union_all(asked_only, answered).subquery()
    people_part = (people.c.team, people.c.role) if by_part else ()
    missed_part = (_missed.c.team,) if by_part else ()

    answers = union_all(
        select(literal_column(str(SCORE)).label("kind"), ModuleRating.wave_id, ModuleRating.module_id,
               *part_or_none, ModuleRating.usefulness.label("score"), func.count().label("n"),
               func.count().filter(ModuleRating.did_not_attend).label("m"), _none.label("comment"))
        .join(Membership, Membership.id == ModuleRating.membership_id).where(*_OURS)
        .group_by(ModuleRating.wave_id, ModuleRating.module_id, *part, ModuleRating.usefulness),
        select(literal_column(str(ASKED)), people.c.wave_id, _none, *(people_part or (_none, _none)), _none,
               func.count(), func.sum(people.c.answered), _none)
        .group_by(people.c.wave_id, *people_part),
        select(literal_column(str(COMMENT)), ModuleRating.wave_id, ModuleRating.module_id, *part_or_none,
               _none, _none, _none, ModuleRating.comment)
        .join(Membership, Membership.id == ModuleRating.membership_id)
        .where(*_OURS, ModuleRating.comment != ""),
        *(select(literal_column(str(REGISTER)), _none, counts.c.module_id, counts.c.team, _none, _none,
                 counts.c.attended, counts.c.missed, _none)
          for counts in (c.subquery() for c in _register_counts)),
        # From those who missed a module (few) to their ratings of it.
        select(literal_column(str(MISSED_RATED)), ModuleRating.wave_id, _missed.c.module_id,
               *(missed_part or (_none,)), _none, _none, literal_column("0"), func.count(), _none)
        .select_from(_missed)
        .join(ModuleRating, and_(ModuleRating.membership_id == _missed.c.membership_id,
                                 ModuleRating.module_id == _missed.c.module_id))
        .where(ModuleRating.usefulness.is_not(None),
               ModuleRating.wave_id.in_(_WAVES))
        .group_by(ModuleRating.wave_id, _missed.c.module_id, *missed_part))

    # Per module, part and (first score, second score): how many gave the module those scores
    # in the two waves. At most 25 pairs a part determine every paired statistic.
    first, second = aliased(ModuleRating), aliased(ModuleRating)
    pairs = (select(first.module_id, *part_or_none, first.usefulness, second.usefulness, func.count())
             .join(second, and_(second.membership_id == first.membership_id,
                                second.module_id == first.module_id,
                                second.wave_id == bindparam("second")))
             .join(Membership, Membership.id == first.membership_id)
             .where(*_OURS, first.wave_id == bindparam("first"), first.usefulness.is_not(None),
                    second.usefulness.is_not(None))
             .group_by(first.module_id, *part, first.usefulness, second.usefulness))
    return answers, pairs


# Built once (their compiled forms are cached), with the programme as a parameter.
_ANSWERS, _PAIRS = _counts(by_part=True)
_ANSWERS_ALL, _PAIRS_ALL = _counts(by_part=False)


# The modules rated, in curriculum order.
_MODULES = select(Module).where(Module.id.in_(bindparam("module_ids", expanding=True))).order_by(Module.position)

# Counts per part: part key (None for an answer outside every part) -> count.
Counts = dict[str | None, int]


class _Scope:
    """The group a report is about (all intervention participants, or one part of the team
    partition), and the rule that decides whether a statistic of some respondents shows."""

    def __init__(self, partition: disclosure.TeamParts, team: str | None):
        self.partition, self.team = partition, team

    def part(self, team: str | None, role: str) -> str | None:
        """The part of the partition an intervention-arm member is in (participants only)."""
        return self.partition.part_of_team(team) if role == "participant" else None

    def count(self, counts: Counts) -> int:
        """How many of the counted are inside the scope."""
        return sum(counts.values()) if self.team is None else counts.get(self.team, 0)

    def reason(self, respondents: Counts) -> str:
        """Why a statistic over ``respondents`` (everyone's, counted per part, before narrowing)
        does not show, "" when it shows: too few in the scope, or (for one part) its showing
        would let the total minus the shown parts give fewer than 5 away."""
        if not disclosure.group_shown(self.count(respondents)):
            return disclosure.TOO_FEW
        if self.team and self.team not in disclosure.shown_in_breakdown_of_counts(self.partition, respondents):
            return disclosure.TOO_FEW_OUTSIDE
        return ""

    def levels(self, per_part: dict[str | None, dict]) -> Counter:
        """Counts per level (a score, or a pair of scores) inside the scope."""
        total = Counter()
        for part, counts in per_part.items():
            if self.team is None or part == self.team:
                total.update(counts)
        return total


@dataclass
class _Cell:
    """What one module's answers in one wave come to, per part."""

    scores: dict = field(default_factory=lambda: defaultdict(Counter))  # part -> score -> count
    did_not_attend: Counts = field(default_factory=lambda: defaultdict(int))
    comments: dict = field(default_factory=lambda: defaultdict(list))  # part -> comments

    def raters(self) -> Counts:
        """Per part, how many gave a score."""
        return {part: sum(c for level, c in counts.items() if level is not None)
                for part, counts in self.scores.items()}


def _attendance(register: dict | None, missed_rated: Counts, scope: _Scope, shown: bool) -> Attendance:
    """The register row of one module in one wave, in the scope: ``register`` is per part
    [attended, missed]; ``missed_rated`` per part how many who missed it gave it a score."""
    attended = scope.count({k: v[0] for k, v in (register or {}).items()})
    missed = scope.count({k: v[1] for k, v in (register or {}).items()})
    if not attended + missed:
        return Attendance(False, None, None, None)
    return Attendance(True, attended, missed, scope.count(missed_rated) if shown else None)


def _module_stats(module: Module, cell: _Cell, invited: int, register: dict | None,
                  missed_rated: Counts, scope: _Scope, visible: bool) -> ModuleStats:
    """One module's figures in one wave for the scope; ``cell`` counts everyone's answers.
    The summary is filled in afterwards (``_describe``), all cells at once."""
    why = scope.reason(cell.raters()) if visible else disclosure.WAVE_OPEN
    register_row = _attendance(register, missed_rated, scope, not why)
    if why:
        return ModuleStats(module, False, why, None, None, [], None, None, [], register_row)
    counts = scope.levels(cell.scores)
    distribution = [(level, counts[level]) for level in SCALE]
    n = sum(c for _, c in distribution)
    comments = sorted(c for part, texts in cell.comments.items()
                      if scope.team is None or part == scope.team for c in texts if c.strip())
    return ModuleStats(
        module, True, "", n, None, distribution,
        stats.response_rate(n, invited) if invited else None,
        scope.count(cell.did_not_attend), comments, register_row)


def _describe(rows: list[ModuleStats]) -> list[ModuleStats]:
    """``rows`` with the summary of every shown one, from its distribution (one SciPy call)."""
    shown = [r for r in rows if r.shown]
    summaries = iter(stats.describe_counts([[c for _, c in r.distribution] for r in shown]) if shown else [])
    return [dataclasses.replace(r, summary=next(summaries)) if r.shown else r for r in rows]


def _chart(modules: list[ModuleStats]) -> dict:
    """A stacked bar per shown module; modules not shown are left out (the page says which).
    Titles are wrapped into short lines so that they fit beside the bars on a phone."""
    shown = [m for m in modules if m.shown]
    return {
        "type": "bar",
        "labels": [textwrap.wrap(m.module.title, 22) for m in shown],
        "datasets": [{"label": f"{level}: {SCALE[level]}",
                      "data": [dict(m.distribution)[level] for m in shown]} for level in SCALE],
        "options": {"indexAxis": "y", "scales": {"x": {"stacked": True, "title": {
            "display": True, "text": "Number of participants"}}, "y": {"stacked": True, "ticks": {"autoSkip": False}}}},
    }


def _rank(rows: list[ModuleStats]) -> list[ModuleStats]:
    shown = sorted((r for r in rows if r.shown), key=lambda r: -r.summary.mean)
    return shown + [r for r in rows if not r.shown]


def programme_report(user: User, programme_id: int, *, now: datetime, wave_id: int | None = None,
                     team: str | None = None, reader: disclosure.Reader | None = None) -> Report:
    """Leads (and evaluators): the ratings of a programme, optionally for one wave and one part
    of the team partition (disclosure.team_parts). A module's statistics show for 5 or
    more raters in the scope, and under a team filter only while the parts not shown hold 0 or
    5 or more raters; a wave's statistics reach leads once it has closed. ``reader`` is
    ``disclosure.reader(user, programme_id)`` when the caller has it already."""
    reader = reader or disclosure.reader(user, programme_id)
    programme = reader.programme
    today = today_in(programme.timezone, now)
    waves = list_waves(programme)
    # The parts without their members: everything below is counted per team in SQL.
    partition = disclosure.team_parts(programme)
    team = team if team in partition.labels else None
    wave_id = wave_id if wave_id in {w.id for w in waves} else None
    report = Report(programme, waves, partition.choices(), wave_id, team, reader.live,
                    reader.access.has("evaluator"))
    scope = _Scope(partition, team)
    ours = {"programme_id": programme.id}
    cells: dict[tuple[int, int], _Cell] = defaultdict(_Cell)
    invited: dict[int, Counts] = defaultdict(lambda: defaultdict(int))
    answered: dict[int, Counts] = defaultdict(lambda: defaultdict(int))
    registers: dict[int, dict] = defaultdict(dict)
    missed_rated: dict[tuple[int, int], Counts] = defaultdict(lambda: defaultdict(int))
    # For all teams only the sums over the parts count (_Scope): asked for as such.
    answers, paired = (_ANSWERS, _PAIRS) if team else (_ANSWERS_ALL, _PAIRS_ALL)
    for kind, wave, module_id, team_, role, score, n, m, comment in db.session.execute(answers, ours):
        if kind == SCORE:
            cell, part = cells[(wave, module_id)], scope.part(team_, role)
            cell.scores[part][score] += n
            cell.did_not_attend[part] += m
        elif kind == ASKED:
            part = scope.part(team_, role)
            invited[wave][part] += n
            answered[wave][part] += m
        elif kind == COMMENT:
            cells[(wave, module_id)].comments[scope.part(team_, role)].append(comment)
        elif kind == REGISTER:
            # Everyone in the register is a participant.
            attended_missed = registers[module_id].setdefault(partition.part_of_team(team_), [0, 0])
            attended_missed[0] += n
            attended_missed[1] += m
        else:
            missed_rated[(wave, module_id)][partition.part_of_team(team_)] += m
    module_ids = {module_id for _, module_id in cells}
    modules = list(db.session.scalars(_MODULES, {"module_ids": sorted(module_ids)}))
    visible = {w.id: disclosure.rating_results_visible(w, today, reader.live) for w in waves}
    for wave in waves:
        if wave_id and wave.id != wave_id:
            continue
        asked = scope.count(invited[wave.id])
        rows = _rank(_describe([_module_stats(m, cells[(wave.id, m.id)], asked, registers.get(m.id),
                                              missed_rated[(wave.id, m.id)], scope, visible[wave.id])
                                for m in modules]))
        report.wave_reports.append(WaveReport(wave, rows, asked, scope.count(answered[wave.id]),
                                              visible[wave.id], _chart(rows), wave_state(wave, today)))
    if len(waves) >= 2:
        first, second = waves[0], waves[1]
        report.change_waves = (first, second)
        report.change_visible = visible[first.id] and visible[second.id]
        if report.change_visible:
            pairs: dict[int, dict] = defaultdict(lambda: defaultdict(Counter))
            for module_id, team_, role, a, b, count in db.session.execute(
                    paired, {**ours, "first": first.id, "second": second.id}):
                pairs[module_id][scope.part(team_, role)][(a, b)] += count
            # No table at all when nobody rated any module in both waves.
            report.change = _change_rows(modules, pairs, scope) if pairs else []
    return report


def _change_rows(modules: list[Module], pairs: dict[int, dict], scope: _Scope) -> list[ChangeRow]:
    """Each module's paired change in the scope, shown under the same rule as a wave's figures:
    from how many gave each (first, second) pair of scores, the differences' counts."""
    rows, shown = [], []
    for module in modules:
        per_part = pairs.get(module.id, {})
        why = scope.reason({part: sum(counts.values()) for part, counts in per_part.items()})
        if why:
            rows.append(ChangeRow(module, False, why, None, None))
            continue
        differences = [0] * len(_DIFFERENCES)
        for (a, b), count in scope.levels(per_part).items():
            differences[b - a - _DIFFERENCES[0]] += count
        shown.append(len(rows))
        rows.append(differences)
    described = stats.describe_counts([rows[i] for i in shown], _DIFFERENCES) if shown else []
    for i, d in zip(shown, described):
        rows[i] = ChangeRow(modules[i], True, "", d.n,
                            stats.PairedDifference(d.n, d.mean, d.sd, d.ci_low, d.ci_high))
    return rows


# Second minus first of two scores from 1 to 5.
_DIFFERENCES = range(min(SCALE) - max(SCALE), max(SCALE) - min(SCALE) + 1)
