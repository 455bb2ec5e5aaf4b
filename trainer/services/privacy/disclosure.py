"""Disclosure control for what people said: the one place that decides which groups' statistics show."""
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, func, select

from trainer import stats
from trainer.extensions import db
from trainer.models import Membership, OutcomeWave, Programme, RatingWave, User
from trainer.services.accounts import access
from trainer.services.ratings import ratings

THRESHOLD = stats.SMALL_CELL
OTHER_TEAMS = "*other"
OTHER_TEAMS_LABEL = "Other teams"
NO_TEAM = "*none"
NO_TEAM_LABEL = "No team recorded"
# Why a group's statistics are not shown; the pages and the CSV files say it in these words.
TOO_FEW = "fewer than 5 responses"
TOO_FEW_OUTSIDE = "fewer than 5 responses elsewhere could then be worked out by subtraction"
WAVE_OPEN = "results appear when the wave closes"
READERS = ("lead", "evaluator")


@dataclass(frozen=True)
class Reader:
    """Who reads a programme's response statistics: ``live`` readers (evaluators, who see no
    names) see results while a wave is open; leads and trainers only once it has closed."""

    access: access.ProgrammeAccess
    live: bool

    @property
    def programme(self) -> Programme:
        """The programme being read."""
        return self.access.programme


def reader(user: User, programme_id: int) -> Reader:
    """The user's right to read the programme's response statistics (its leads and evaluators);
    PermissionDenied for anyone else."""
    acc = access.require_membership(user, programme_id, READERS)
    return Reader(acc, acc.has("evaluator") and not acc.has("lead"))


def rating_results_visible(wave: RatingWave, today: date, live: bool) -> bool:
    """A rating wave's response statistics reach leads once the wave has closed; live readers
    see them at once."""
    return live or ratings.wave_state(wave, today) == "closed"


def outcome_results_visible(wave: OutcomeWave, today: date, live: bool) -> bool:
    """A questionnaire wave (open to ``closes_on`` inclusive) shows its statistics to leads
    from the day after it closes; live readers see them at once."""
    return live or today > wave.closes_on


def group_shown(n: int) -> bool:
    """True when a group of ``n`` respondents is large enough for statistics of its responses."""
    return not stats.is_small(n, THRESHOLD)


def group_shown_sql(n):
    """``group_shown`` as a SQL condition on a count expression ``n``, for sums in SQL over the
    shown groups only."""
    return n >= THRESHOLD


def reason(n: int, visible: bool = True) -> str:
    """Why a group of ``n`` respondents shows no statistic ("" when it shows)."""
    if not visible:
        return WAVE_OPEN
    return "" if group_shown(n) else TOO_FEW


@dataclass(frozen=True)
class TeamParts:
    """The parts of a programme's team breakdown (team_partition) without their members: each
    part's label, and each team's part. Enough for pages that count answers per team in SQL,
    which need not read a row per participant to learn the breakdown."""

    labels: dict[str, str]
    # Each team's part (teams as enrolled, "" and None under NO_TEAM), so that counts grouped by
    # team in SQL can be added up per part without listing anyone.
    teams: dict[str, str] = field(default_factory=dict)

    def part_of_team(self, team: str | None) -> str | None:
        """The key of the part holding a participant of ``team``, None if it is in none."""
        return self.teams.get(team or NO_TEAM)

    def choices(self) -> list[tuple[str, str]]:
        """(key, label) of every part, for a filter."""
        return list(self.labels.items())


@dataclass(frozen=True)
class TeamPartition(TeamParts):
    """The teams of a programme's intervention arm as a breakdown: each part (a team of 5 or
    more, or "Other teams" merging the smaller ones) with its members. Empty when the arm
    cannot be broken down without a part of fewer than 5 people."""

    parts: dict[str, frozenset[int]] = field(default_factory=dict)

    def part_of(self, membership_id: int) -> str | None:
        """The key of the part holding the membership, None if it is in none."""
        return next((k for k, ids in self.parts.items() if membership_id in ids), None)


# Built once (every report reads them): only the programme is bound.
_PARTICIPANTS = (Membership.programme_id == bindparam("programme_id"), Membership.role == "participant",
                 Membership.arm == "intervention")
_TEAMS = select(Membership.id, Membership.team).where(*_PARTICIPANTS)
_TEAM_SIZES = select(Membership.team, func.count()).where(*_PARTICIPANTS).group_by(Membership.team)


def _breakdown(sizes: dict[str, int]) -> tuple[TeamParts, list[str]]:
    """The parts of teams of these sizes (keyed as in TeamParts.teams, in sorted order), and
    the teams merged into "Other teams"."""
    own, merged = stats.merge_small_groups(sizes, THRESHOLD)
    if not own:
        return TeamParts({}, {}), []
    labels = {team: NO_TEAM_LABEL if team == NO_TEAM else team for team in own}
    if merged:  # every team has someone in it: the merged ones are never empty
        labels[OTHER_TEAMS] = OTHER_TEAMS_LABEL
    return TeamParts(labels, {team: team if team in own else OTHER_TEAMS for team in sizes}), merged


def team_partition(programme: Programme) -> TeamPartition:
    """The intervention participants' teams merged into parts of 5 or more (stats.merge_small_groups).

    Built from enrolment (who is in which team), never from who has answered, so answering
    cannot change the breakdown a lead is offered."""
    rows = db.session.execute(_TEAMS, {"programme_id": programme.id})
    members: dict[str, set[int]] = {}
    for mid, team in rows:
        members.setdefault(team or NO_TEAM, set()).add(mid)
    breakdown, merged = _breakdown({team: len(ids) for team, ids in sorted(members.items())})
    parts = {team: frozenset(members[team]) for team in breakdown.labels if team != OTHER_TEAMS}
    if merged:
        parts[OTHER_TEAMS] = frozenset().union(*(members[t] for t in merged))
    return TeamPartition(breakdown.labels, breakdown.teams, parts)


def team_parts(programme: Programme) -> TeamParts:
    """team_partition without the members: the same parts, labels and teams from how many
    participants each team has, counted in SQL (a row per team, not per participant: the
    ratings report of a cohort of thousands reads a dozen rows)."""
    sizes: dict[str, int] = {}
    for team, n in db.session.execute(_TEAM_SIZES, {"programme_id": programme.id}):
        sizes[team or NO_TEAM] = sizes.get(team or NO_TEAM, 0) + n  # "" and None are both no team
    return _breakdown(dict(sorted(sizes.items())))[0]


def shown_in_breakdown(partition: TeamPartition, respondents: set[int]) -> set[str]:
    """Parts whose statistic of ``respondents`` may show beside the total's: 5 or more in the
    part, and the parts not shown together 0 or 5 or more (stats.shown_parts)."""
    return shown_in_breakdown_of_counts(
        partition, {k: len(respondents & ids) for k, ids in partition.parts.items()})


def shown_in_breakdown_of_counts(partition: TeamParts, counts: Mapping[str, int]) -> set[str]:
    """``shown_in_breakdown`` from how many respondents each part holds (a part missing from
    ``counts`` holds none), for callers that count them in SQL."""
    return stats.shown_parts({k: counts.get(k, 0) for k in partition.labels}, THRESHOLD)
