"""The lead's view of module usefulness ratings: statistics per module and wave, change between
waves, comments, and comparison across programmes, with small numbers suppressed."""
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import distinct, func, select

from trainer import stats
from trainer.errors import PermissionDenied
from trainer.extensions import db
from trainer.models import Membership, Module, ModuleRating, Programme, RatingResponse, RatingWave, User
from trainer.services import access, attendance
from trainer.services.ratings import SCALE, list_waves


@dataclass(frozen=True)
class Attendance:
    """The register beside a module's ratings: expected participants whose attendance at the
    module is known, how many attended and missed it, and how many who missed it rated it with a
    usefulness score. A count is None when hidden (1-4 people, or to protect a hidden one)."""

    recorded: bool
    attended: int | None
    missed: int | None
    missed_but_rated: int | None


@dataclass(frozen=True)
class ModuleStats:
    """One module in one wave. When ``suppressed`` (fewer than 5 raters or, under a team filter,
    1-4 raters outside the team) only the module shows."""

    module: Module
    n: int
    suppressed: bool
    summary: stats.Description | None
    distribution: list[tuple[int, int | None]]
    invited: int | None
    response_rate: float | None
    did_not_attend: int | None
    comments: list[str]
    attendance: Attendance


@dataclass(frozen=True)
class WaveReport:
    """The ranked modules of one wave, with a chart of the same numbers as the table."""

    wave: RatingWave
    modules: list[ModuleStats]
    invited: int | None
    answered: int
    chart: dict


@dataclass(frozen=True)
class ChangeRow:
    """First-to-second wave change of one module, over participants who rated it in both."""

    module: Module
    n: int
    suppressed: bool
    change: stats.PairedDifference | None


@dataclass
class Report:
    """Everything the dashboard and the printable report show."""

    programme: Programme
    waves: list[RatingWave]
    teams: list[str]
    wave_id: int | None
    team: str | None
    wave_reports: list[WaveReport] = field(default_factory=list)
    change: list[ChangeRow] = field(default_factory=list)
    change_waves: tuple[RatingWave, RatingWave] | None = None
    scale: dict[int, str] = field(default_factory=lambda: dict(SCALE))


@dataclass(frozen=True)
class _Answer:
    wave_id: int
    membership_id: int
    module_id: int
    usefulness: int | None
    did_not_attend: bool
    comment: str


def _answers(programme_id: int, team: str | None) -> list[_Answer]:
    query = (select(ModuleRating.wave_id, ModuleRating.membership_id, ModuleRating.module_id,
                    ModuleRating.usefulness, ModuleRating.did_not_attend, ModuleRating.comment)
             .join(Membership).where(Membership.programme_id == programme_id,
                                     Membership.arm == "intervention"))
    if team:
        query = query.where(Membership.team == team)
    return [_Answer(*row) for row in db.session.execute(query)]


def _invited(programme_id: int, team: str | None, answers: list[_Answer]) -> dict[int, set[int]]:
    """Per wave, the participants asked: those with a response row, and anyone who answered."""
    query = (select(RatingResponse.wave_id, RatingResponse.membership_id).join(Membership)
             .where(Membership.programme_id == programme_id, Membership.arm == "intervention"))
    if team:
        query = query.where(Membership.team == team)
    invited: dict[int, set[int]] = defaultdict(set)
    for wave_id, member_id in db.session.execute(query):
        invited[wave_id].add(member_id)
    for a in answers:
        invited[a.wave_id].add(a.membership_id)
    return invited


def _hide(part: dict[str, int], whole: dict[str, int] | None) -> set[str]:
    """Keys of a row of counts to hide: secondary suppression, and under a team filter also
    any whose count outside the team is 1-4 (stats.filtered_suppression)."""
    return stats.secondary_suppression(part) if whole is None else stats.filtered_suppression(part, whole)


def _register_counts(register: dict[int, bool], answers: list[_Answer]) -> tuple[int, int, int]:
    attended = sum(register.values())
    rated = sum(1 for a in answers if a.usefulness is not None and register.get(a.membership_id) is False)
    return attended, len(register) - attended, rated


def _attendance(register: dict[int, bool], answers: list[_Answer],
                whole: tuple[int, int, int] | None) -> Attendance:
    """Attended / missed counts with secondary suppression between them, and of those who
    missed, the raters against the rest (so the rest cannot be worked out either). Under a team
    filter, ``whole`` holds the programme's counts, and counts with 1-4 outside the team hide."""
    if not register:
        return Attendance(False, None, None, None)
    attended, missed, rated = _register_counts(register, answers)
    hidden = _hide({"attended": attended, "missed": missed},
                   whole and {"attended": whole[0], "missed": whole[1]})
    if "missed" in hidden:
        shown_rated = 0 if rated == 0 and not (whole and stats.complement_small(0, whole[2])) else None
    else:
        shown_rated = None if "rated" in _hide(
            {"rated": rated, "other": missed - rated},
            whole and {"rated": whole[2], "other": whole[1] - whole[2]}) else rated
    return Attendance(True, None if "attended" in hidden else attended,
                      None if "missed" in hidden else missed, shown_rated)


@dataclass(frozen=True)
class _Whole:
    """The same module and wave for the whole programme, beside a team's figures."""

    n: int
    distribution: dict[int, int]
    absent: int
    invited: int
    register: tuple[int, int, int]


def _whole(answers: list[_Answer], invited: int, register: dict[int, bool]) -> _Whole:
    scores = [a.usefulness for a in answers if a.usefulness is not None]
    return _Whole(len(scores), stats.distribution(scores), sum(a.did_not_attend for a in answers),
                  invited, _register_counts(register, answers))


def _module_stats(module: Module, answers: list[_Answer], invited: int,
                  register: dict[int, bool], whole: _Whole | None = None) -> ModuleStats:
    """One module's figures; under a team filter (``whole`` given) each figure also hides when
    1-4 people are outside the team (stats.complement_small), and the comments with the row."""
    scores = [a.usefulness for a in answers if a.usefulness is not None]
    n = len(scores)
    absent = sum(a.did_not_attend for a in answers)
    register_row = _attendance(register, answers, whole and whole.register)
    shown_invited = None if whole and stats.complement_small(invited, whole.invited) else invited
    if stats.is_small(n) or (whole and stats.complement_small(n, whole.n)):
        return ModuleStats(module, n, True, None, [(level, None) for level in SCALE], shown_invited,
                           None, None, [], register_row)
    counts = stats.distribution(scores)
    hidden = _hide(counts, whole and whole.distribution)
    comments = sorted(a.comment for a in answers if a.comment.strip())
    absent_hidden = 0 < absent < stats.SMALL_CELL or bool(
        whole and stats.complement_small(absent, whole.absent))
    return ModuleStats(
        module, n, False, stats.describe(scores),
        [(level, None if level in hidden else count) for level, count in counts.items()],
        shown_invited, None if shown_invited is None else stats.response_rate(n, invited),
        None if absent_hidden else absent, comments, register_row)


def _chart(modules: list[ModuleStats]) -> dict:
    return {
        "type": "bar",
        "labels": [m.module.title + (" (hidden)" if m.suppressed else "")
                   for m in modules],
        "datasets": [{"label": f"{level}: {SCALE[level]}",
                      "data": [dict(m.distribution)[level] for m in modules]} for level in SCALE],
        "options": {"indexAxis": "y", "scales": {"x": {"stacked": True, "title": {
            "display": True, "text": "Number of participants"}}, "y": {"stacked": True}}},
    }


def _rank(rows: list[ModuleStats]) -> list[ModuleStats]:
    shown = sorted((r for r in rows if not r.suppressed), key=lambda r: -r.summary.mean)
    return shown + [r for r in rows if r.suppressed]


def _registers(programme: Programme, team: str | None) -> dict[int, dict[int, bool]]:
    """Who attended each module (attendance.module_attendance), narrowed to one team if chosen."""
    registers = attendance.module_attendance(programme)
    if not team:
        return registers
    in_team = set(db.session.scalars(select(Membership.id).where(
        Membership.programme_id == programme.id, Membership.team == team)))
    return {module_id: {mid: came for mid, came in register.items() if mid in in_team}
            for module_id, register in registers.items()}


def _teams(programme: Programme) -> list[str]:
    """Teams offered as a filter: those with at least 5 intervention participants who gave a
    usefulness score in any wave (a smaller team's view would be hidden throughout, and its
    people could be worked out by subtraction from the rest)."""
    raters = select(Membership.team, func.count(distinct(Membership.id))).join(ModuleRating).where(
        Membership.programme_id == programme.id, Membership.arm == "intervention",
        Membership.team.is_not(None), ModuleRating.usefulness.is_not(None)).group_by(Membership.team)
    return sorted(t for t, n in db.session.execute(raters) if t and not stats.is_small(n))


def _by_cell(answers: list[_Answer]) -> dict[tuple[int, int], list[_Answer]]:
    by_cell: dict[tuple[int, int], list[_Answer]] = defaultdict(list)
    for a in answers:
        by_cell[(a.wave_id, a.module_id)].append(a)
    return by_cell


def programme_report(user: User, programme_id: int, *, wave_id: int | None = None,
                     team: str | None = None) -> Report:
    """Leads: the ratings of a programme, optionally for one wave and one team. Under a team
    filter, every figure is also hidden when 1-4 people outside the team would be left over
    by subtracting it from the same figure for the whole programme."""
    programme = access.require_membership(user, programme_id, ("lead",)).programme
    waves = list_waves(programme)
    teams = _teams(programme)
    team = team if team in teams else None
    wave_id = wave_id if wave_id in {w.id for w in waves} else None
    report = Report(programme, waves, teams, wave_id, team)
    answers = _answers(programme.id, team)
    invited = _invited(programme.id, team, answers)
    registers = _registers(programme, team)
    by_cell = _by_cell(answers)
    if team:
        everyone = _answers(programme.id, None)
        all_invited, all_registers, all_by_cell = (
            _invited(programme.id, None, everyone), _registers(programme, None), _by_cell(everyone))
    modules = list(db.session.scalars(select(Module).where(
        Module.id.in_({a.module_id for a in answers})).order_by(Module.position)))
    for wave in waves:
        if wave_id and wave.id != wave_id:
            continue
        rows = _rank([_module_stats(
            m, by_cell[(wave.id, m.id)], len(invited[wave.id]), registers.get(m.id, {}),
            _whole(all_by_cell[(wave.id, m.id)], len(all_invited[wave.id]), all_registers.get(m.id, {}))
            if team else None) for m in modules])
        answered = len({a.membership_id for a in answers if a.wave_id == wave.id})
        asked = len(invited[wave.id])
        if team and stats.complement_small(asked, len(all_invited[wave.id])):
            asked = None
        report.wave_reports.append(WaveReport(wave, rows, asked, answered, _chart(rows)))
    if len(waves) >= 2:
        report.change_waves = (waves[0], waves[1])
        report.change = [_change_row(m, by_cell, waves[0], waves[1],
                                     all_by_cell if team else None) for m in modules]
        if not any(row.n for row in report.change):
            report.change = []
    return report


def _pairs(by_cell: dict[tuple[int, int], list[_Answer]], module: Module,
           first: RatingWave, second: RatingWave) -> list[tuple[int | None, int | None]]:
    a = {x.membership_id: x.usefulness for x in by_cell[(first.id, module.id)]}
    b = {x.membership_id: x.usefulness for x in by_cell[(second.id, module.id)]}
    return [(a[k], b[k]) for k in a.keys() & b.keys()]


def _change_row(module: Module, by_cell, first: RatingWave, second: RatingWave, all_by_cell) -> ChangeRow:
    """A module's paired change, hidden when small or (under a team filter) when 1-4 people
    outside the team rated it in both waves."""
    change = stats.paired_difference(_pairs(by_cell, module, first, second))
    small = stats.is_small(change.n) or bool(all_by_cell and stats.complement_small(
        change.n, stats.paired_difference(_pairs(all_by_cell, module, first, second)).n))
    return ChangeRow(module, change.n, small, None if small else change)


@dataclass(frozen=True)
class ProgrammeCell:
    """One programme's ratings of one module in one wave position (n hidden when small)."""

    programme: Programme
    wave: RatingWave | None
    n: int | None
    summary: stats.Description | None


@dataclass(frozen=True)
class ComparisonRow:
    """A module in one wave position, per programme and pooled."""

    module: Module
    position: int
    cells: list[ProgrammeCell]
    pooled: stats.Description | None
    pooled_n: int


def compare_programmes(user: User) -> tuple[list[Programme], list[ComparisonRow]]:
    """Leads and admins: each module's ratings in the first and second wave of every programme
    they lead (all, for admins), per programme and pooled, with primary and secondary suppression."""
    programmes = access.programmes_for(user, "lead")
    if not programmes and not user.is_admin:
        raise PermissionDenied("Only programme leads and administrators can compare programmes.")
    if not programmes:
        return [], []
    ids = [p.id for p in programmes]
    waves_by_programme: dict[int, list[RatingWave]] = {p.id: [] for p in programmes}
    for wave in db.session.scalars(select(RatingWave).where(RatingWave.programme_id.in_(ids))
                                   .order_by(RatingWave.offset_days, RatingWave.id)):
        if len(waves_by_programme[wave.programme_id]) < 2:
            waves_by_programme[wave.programme_id].append(wave)
    position = {w.id: i for ws in waves_by_programme.values() for i, w in enumerate(ws)}
    # Counts per score in SQL (at most five rows per programme, wave and module). The waves are
    # chosen here rather than by a long IN list, which would make the database probe every
    # (wave, participant) pair.
    rows = db.session.execute(
        select(ModuleRating.wave_id, ModuleRating.module_id, ModuleRating.usefulness,
               Membership.programme_id, func.count())
        .join(Membership).where(Membership.programme_id.in_(ids), Membership.arm == "intervention",
                                ModuleRating.usefulness.is_not(None))
        .group_by(ModuleRating.wave_id, ModuleRating.module_id, ModuleRating.usefulness,
                  Membership.programme_id))
    scores: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for wave_id, module_id, usefulness, programme_id, count in rows:
        if wave_id in position:
            scores[(module_id, position[wave_id], programme_id)].extend([usefulness] * count)
    modules = db.session.scalars(select(Module).order_by(Module.position))
    result = []
    for module in modules:
        for pos in (0, 1):
            counts = {p.id: len(scores[(module.id, pos, p.id)]) for p in programmes}
            if not any(counts.values()):
                continue
            hidden = stats.secondary_suppression(counts)
            cells = []
            for p in programmes:
                waves = waves_by_programme[p.id]
                wave = waves[pos] if pos < len(waves) else None
                shown = p.id not in hidden and counts[p.id] >= stats.SMALL_CELL
                cells.append(ProgrammeCell(p, wave, counts[p.id] if p.id not in hidden else None,
                                           stats.describe(scores[(module.id, pos, p.id)]) if shown
                                           else None))
            pooled_values = [v for p in programmes for v in scores[(module.id, pos, p.id)]]
            pooled_n = len(pooled_values)
            result.append(ComparisonRow(module, pos, cells,
                                        None if stats.is_small(pooled_n) else stats.describe(pooled_values),
                                        pooled_n))
    return programmes, result
