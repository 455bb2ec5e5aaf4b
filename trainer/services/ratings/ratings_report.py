"""The ratings report: statistics per module and wave, change between waves, comments and the
register beside them, under the disclosure rules of trainer.services.disclosure."""
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

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


@dataclass(frozen=True)
class _Answer:
    wave_id: int
    membership_id: int
    module_id: int
    usefulness: int | None
    did_not_attend: bool
    comment: str


def _answers(programme_id: int) -> list[_Answer]:
    query = (select(ModuleRating.wave_id, ModuleRating.membership_id, ModuleRating.module_id,
                    ModuleRating.usefulness, ModuleRating.did_not_attend, ModuleRating.comment)
             .join(Membership).where(Membership.programme_id == programme_id,
                                     Membership.arm == "intervention"))
    return [_Answer(*row) for row in db.session.execute(query)]


def _invited(programme_id: int, answers: list[_Answer]) -> dict[int, set[int]]:
    """Per wave, the participants asked: those with a response row, and anyone who answered."""
    query = (select(RatingResponse.wave_id, RatingResponse.membership_id).join(Membership)
             .where(Membership.programme_id == programme_id, Membership.arm == "intervention"))
    invited: dict[int, set[int]] = defaultdict(set)
    for wave_id, member_id in db.session.execute(query):
        invited[wave_id].add(member_id)
    for a in answers:
        invited[a.wave_id].add(a.membership_id)
    return invited


class _Scope:
    """The group a report is about (all intervention participants, or one part of the team
    partition), and the rule that decides whether a statistic of some respondents shows."""

    def __init__(self, partition: disclosure.TeamPartition, team: str | None):
        self.partition, self.team = partition, team
        self.members = partition.parts[team] if team else None

    def keep(self, ids) -> set[int]:
        """The ids inside the scope."""
        return set(ids) if self.members is None else set(ids) & self.members

    def reason(self, respondents: set[int]) -> str:
        """Why a statistic over ``respondents`` (everyone's, before narrowing) does not show,
        "" when it shows: too few in the scope, or (for one part) its showing would let the
        total minus the shown parts give fewer than 5 away."""
        mine = self.keep(respondents)
        if not disclosure.group_shown(len(mine)):
            return disclosure.TOO_FEW
        if self.team and self.team not in disclosure.shown_in_breakdown(self.partition, respondents):
            return disclosure.TOO_FEW_OUTSIDE
        return ""


def _attendance(register: dict[int, bool], raters: set[int], shown: bool) -> Attendance:
    if not register:
        return Attendance(False, None, None, None)
    attended = sum(register.values())
    rated = sum(1 for mid, came in register.items() if not came and mid in raters)
    return Attendance(True, attended, len(register) - attended, rated if shown else None)


def _module_stats(module: Module, answers: list[_Answer], invited: int, register: dict[int, bool],
                  scope: _Scope, visible: bool) -> ModuleStats:
    """One module's figures in one wave for the scope; ``answers`` are everyone's."""
    everyone = {a.membership_id for a in answers if a.usefulness is not None}
    why = scope.reason(everyone) if visible else disclosure.WAVE_OPEN
    in_scope = scope.keep(a.membership_id for a in answers)
    mine = [a for a in answers if a.membership_id in in_scope]
    scores = [a.usefulness for a in mine if a.usefulness is not None]
    kept = scope.keep(register)  # once: a set of the whole register
    register_row = _attendance({k: v for k, v in register.items() if k in kept},
                               {a.membership_id for a in mine if a.usefulness is not None}, not why)
    if why:
        return ModuleStats(module, False, why, None, None, [], None, None, [], register_row)
    return ModuleStats(
        module, True, "", len(scores), stats.describe(scores),
        list(stats.distribution(scores).items()),
        stats.response_rate(len(scores), invited) if invited else None,
        sum(a.did_not_attend for a in mine), sorted(a.comment for a in mine if a.comment.strip()),
        register_row)


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


def _by_cell(answers: list[_Answer]) -> dict[tuple[int, int], list[_Answer]]:
    by_cell: dict[tuple[int, int], list[_Answer]] = defaultdict(list)
    for a in answers:
        by_cell[(a.wave_id, a.module_id)].append(a)
    return by_cell


def programme_report(user: User, programme_id: int, *, now: datetime, wave_id: int | None = None,
                     team: str | None = None) -> Report:
    """Leads (and evaluators): the ratings of a programme, optionally for one wave and one part
    of the team partition (disclosure.team_partition). A module's statistics show for 5 or
    more raters in the scope, and under a team filter only while the parts not shown hold 0 or
    5 or more raters; a wave's statistics reach leads once it has closed."""
    reader = disclosure.reader(user, programme_id)
    programme = reader.programme
    today = today_in(programme.timezone, now)
    waves = list_waves(programme)
    partition = disclosure.team_partition(programme)
    team = team if team in partition.parts else None
    wave_id = wave_id if wave_id in {w.id for w in waves} else None
    report = Report(programme, waves, partition.choices(), wave_id, team, reader.live,
                    reader.access.has("evaluator"))
    scope = _Scope(partition, team)
    answers = _answers(programme.id)
    invited = _invited(programme.id, answers)
    registers = attendance.module_attendance(programme)
    by_cell = _by_cell(answers)
    modules = list(db.session.scalars(select(Module).where(
        Module.id.in_({a.module_id for a in answers})).order_by(Module.position)))
    visible = {w.id: disclosure.rating_results_visible(w, today, reader.live) for w in waves}
    for wave in waves:
        if wave_id and wave.id != wave_id:
            continue
        asked = len(scope.keep(invited[wave.id]))
        rows = _rank([_module_stats(m, by_cell[(wave.id, m.id)], asked, registers.get(m.id, {}),
                                    scope, visible[wave.id]) for m in modules])
        answered = len(scope.keep(a.membership_id for a in answers if a.wave_id == wave.id))
        report.wave_reports.append(WaveReport(wave, rows, asked, answered, visible[wave.id], _chart(rows),
                                              wave_state(wave, today)))
    if len(waves) >= 2:
        first, second = waves[0], waves[1]
        report.change_waves = (first, second)
        report.change_visible = visible[first.id] and visible[second.id]
        if report.change_visible:
            report.change = [_change_row(m, by_cell, first, second, scope) for m in modules]
        if not any(_pairs(by_cell, m, first, second) for m in modules):
            report.change = []
    return report


def _pairs(by_cell: dict[tuple[int, int], list[_Answer]], module: Module,
           first: RatingWave, second: RatingWave) -> dict[int, tuple[int, int]]:
    """Everyone who gave the module a score in both waves: membership id -> (first, second)."""
    a = {x.membership_id: x.usefulness for x in by_cell[(first.id, module.id)] if x.usefulness}
    b = {x.membership_id: x.usefulness for x in by_cell[(second.id, module.id)] if x.usefulness}
    return {k: (a[k], b[k]) for k in a.keys() & b.keys()}


def _change_row(module: Module, by_cell, first: RatingWave, second: RatingWave, scope: _Scope) -> ChangeRow:
    """A module's paired change in the scope, shown under the same rule as a wave's figures."""
    pairs = _pairs(by_cell, module, first, second)
    why = scope.reason(set(pairs))
    if why:
        return ChangeRow(module, False, why, None, None)
    mine = [pairs[k] for k in scope.keep(pairs)]
    return ChangeRow(module, True, "", len(mine), stats.paired_difference(mine))
