"""Peer coaching: pairs or triads within the intervention arm, and the meetings they log."""
import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from trainer.errors import NotFound, RuleViolation
from trainer.extensions import db
from trainer.models import Membership, PeerGroup, PeerGroupMember, PeerMeeting, Programme, User
from trainer.services.accounts import access
from trainer.services.privacy import audit

GROUP_SIZES = (2, 3)


def _ungrouped(programme: Programme) -> list[Membership]:
    """The programme's intervention participants who are in no peer group, in enrolment order."""
    grouped = select(PeerGroupMember.membership_id).where(PeerGroupMember.programme_id == programme.id)
    return list(db.session.scalars(
        select(Membership).where(Membership.programme_id == programme.id,
                                 Membership.role == "participant", Membership.arm == "intervention",
                                 Membership.id.not_in(grouped))
        .options(selectinload(Membership.user)).order_by(Membership.id)))


@dataclass
class PeerOverview:
    """A programme's peer groups, how many meetings each has logged, and the intervention
    participants not yet in one."""

    groups: list[PeerGroup]
    ungrouped: list[Membership]
    meetings: dict[int, int]

    def can_dissolve(self, group: PeerGroup) -> bool:
        """A group may be dissolved until it logs a meeting (see dissolve_group)."""
        return not self.meetings.get(group.id)


def overview(programme: Programme) -> PeerOverview:
    """The groups (with members), their meeting counts, and who is left over.

    Counts, not meetings: staff see how often a group met, never what a member noted.
    """
    groups = list(db.session.scalars(
        select(PeerGroup).where(PeerGroup.programme_id == programme.id)
        .options(selectinload(PeerGroup.members).selectinload(PeerGroupMember.membership)
                 .selectinload(Membership.user))
        .order_by(PeerGroup.id)))
    meetings = dict(db.session.execute(
        select(PeerMeeting.group_id, func.count(PeerMeeting.id)).join(PeerGroup)
        .where(PeerGroup.programme_id == programme.id).group_by(PeerMeeting.group_id)).all())
    return PeerOverview(groups, _ungrouped(programme), meetings)


def _add_group(actor: User, programme: Programme, members: list[Membership]) -> PeerGroup:
    group = PeerGroup(programme_id=programme.id, created_by_id=actor.id)
    for m in members:
        group.members.append(PeerGroupMember(programme_id=programme.id, membership_id=m.id))
    db.session.add(group)
    return group


def form_group(actor: User, programme: Programme, membership_ids: list[int]) -> PeerGroup:
    """Put two or three ungrouped intervention participants in a new group. Commits."""
    if len(set(membership_ids)) not in GROUP_SIZES:
        raise RuleViolation("Choose two or three participants", field="members")
    free = {m.id: m for m in _ungrouped(programme)}
    if not all(i in free for i in membership_ids):
        raise RuleViolation("Choose only intervention participants who are not yet in a group",
                            field="members")
    group = _add_group(actor, programme, [free[i] for i in dict.fromkeys(membership_ids)])
    audit.record(actor.id, "peers.form_group", group, programme_id=programme.id)
    db.session.commit()
    return group


def split(people: list, size: int) -> list[list]:
    """Split people into groups of ``size`` (2 or 3), never leaving anyone alone: a spare person
    joins a pair to make a triad; with triads, a spare person turns the last triad into two pairs."""
    if size not in GROUP_SIZES:
        raise RuleViolation("Groups are pairs or triads", field="size")
    groups = [people[i:i + size] for i in range(0, len(people), size)]
    if len(groups) > 1 and len(groups[-1]) == 1:
        spare = groups.pop()
        if size == 2:
            groups[-1] += spare
        else:
            last = groups.pop() + spare
            groups += [last[:2], last[2:]]
    return groups if not groups or len(groups[-1]) > 1 else []


def shuffle_groups(actor: User, programme: Programme, size: int, *, rng: random.Random) -> int:
    """Shuffle every ungrouped intervention participant into groups of ``size``. Commits.

    Returns the number of groups formed.
    """
    people = _ungrouped(programme)
    rng.shuffle(people)
    groups = split(people, size)
    if not groups:
        raise RuleViolation("At least two participants must be left without a group to shuffle",
                            field="size")
    for members in groups:
        _add_group(actor, programme, members)
    audit.record(actor.id, "peers.shuffle", programme, programme_id=programme.id, groups=len(groups))
    db.session.commit()
    return len(groups)


def dissolve_group(actor: User, programme: Programme, group_id: int) -> None:
    """Remove a group that has no meetings logged. Commits."""
    group = db.session.get(PeerGroup, group_id)
    if group is None or group.programme_id != programme.id:
        raise NotFound("No such group.")
    if group.meetings:
        raise RuleViolation("This group has logged meetings, so it cannot be dissolved.")
    audit.record(actor.id, "peers.dissolve", group, programme_id=programme.id)
    db.session.delete(group)
    db.session.commit()


def group_of(membership: Membership) -> PeerGroup | None:
    """The participant's peer group, if they have one."""
    return db.session.scalar(
        select(PeerGroup).join(PeerGroupMember).where(PeerGroupMember.membership_id == membership.id)
        .options(selectinload(PeerGroup.members).selectinload(PeerGroupMember.membership)
                 .selectinload(Membership.user)))


def _check_meeting(met_on: date, minutes: int | None, agenda: str, *, today: date) -> str:
    if met_on > today:
        raise RuleViolation("The date must be today or in the past", field="met_on")
    if minutes is not None and not 0 <= minutes <= 600:
        raise RuleViolation("Minutes must be between 0 and 600", field="minutes")
    if not agenda.strip():
        raise RuleViolation("Enter what you worked on, in a line your peers will see", field="agenda")
    if len(agenda.strip()) > 300:
        raise RuleViolation("The shared line must be 300 characters or fewer", field="agenda")
    return agenda.strip()


def log_meeting(membership: Membership, met_on: date, minutes: int | None, agenda: str,
                private_note: str, *, today: date) -> PeerMeeting:
    """Log a peer-coaching meeting of the participant's group. Commits."""
    group = group_of(membership)
    if group is None:
        raise RuleViolation("You are not in a peer group yet.")
    agenda = _check_meeting(met_on, minutes, agenda, today=today)
    meeting = PeerMeeting(group=group, author=membership, met_on=met_on, minutes=minutes,
                          agenda=agenda, private_note=private_note.strip())
    db.session.add(meeting)
    db.session.commit()
    return meeting


def get_own_meeting(membership: Membership, meeting_id: int) -> PeerMeeting:
    """A meeting the participant logged; NotFound for anyone else's (its existence is not revealed)."""
    return access.require_own(membership, PeerMeeting, meeting_id, owner="author_id", noun="meeting")


def update_meeting(membership: Membership, meeting: PeerMeeting, met_on: date, minutes: int | None,
                   agenda: str, private_note: str, *, today: date) -> None:
    """Change a meeting the participant logged. Commits."""
    if meeting.author_id != membership.id:
        raise NotFound("No such meeting.")
    meeting.agenda = _check_meeting(met_on, minutes, agenda, today=today)
    meeting.met_on, meeting.minutes, meeting.private_note = met_on, minutes, private_note.strip()
    db.session.commit()


def delete_meeting(membership: Membership, meeting: PeerMeeting) -> None:
    """Delete a meeting the participant logged (its shared line goes too). Commits."""
    if meeting.author_id != membership.id:
        raise NotFound("No such meeting.")
    db.session.delete(meeting)
    db.session.commit()


@dataclass
class PeerCoaching:
    """A participant's peer group (None until they have one) and its meetings as they may see them."""

    group: PeerGroup | None
    meetings: list[tuple[PeerMeeting, str | None]]


def coaching_for(membership: Membership) -> PeerCoaching:
    """The participant's group and its meetings, newest first, each with its private note if
    ``membership`` wrote it (None otherwise: a peer sees the shared line only)."""
    group = group_of(membership)
    if group is None:
        return PeerCoaching(None, [])
    return PeerCoaching(group, [(m, m.private_note if m.author_id == membership.id else None)
                                for m in group.meetings])


def meetings_seen_by(membership: Membership) -> list[tuple[PeerMeeting, str | None]]:
    """The group's meetings as ``membership`` may see them (see coaching_for)."""
    return coaching_for(membership).meetings
