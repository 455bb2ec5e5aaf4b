"""Object-level access: the one place that decides who may reach which programme's records."""
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm.attributes import set_committed_value

from trainer import database
from trainer.errors import NotFound, NotForComparisonArm, PermissionDenied
from trainer.extensions import db
from trainer.models import Membership, Programme, TrainingDay, User


@dataclass(frozen=True)
class ProgrammeAccess:
    """What a user holds in one programme: the programme, their roles, their memberships."""

    programme: Programme
    roles: frozenset[str]
    memberships: dict[str, Membership]

    def has(self, *roles: str) -> bool:
        """True if the user holds any of ``roles`` here (being an admin grants none of them)."""
        return bool(self.roles & set(roles))

    @property
    def participant(self) -> Membership | None:
        """The user's participant membership in this programme, if any."""
        return self.memberships.get("participant")


NO_ROLE = "You do not have a role in this programme that allows this."

# Statements that run on nearly every page are built once: a statement made at import keeps its
# cache key, so each request executes it without building and hashing a new query.
_ACCESS = (select(Programme, Membership)
           .outerjoin(Membership, (Membership.programme_id == Programme.id)
                      & (Membership.user_id == bindparam("user_id")))
           .where(Programme.id == bindparam("programme_id")))
_PLACES = select(Membership.role, Membership.arm).where(Membership.user_id == bindparam("user_id"))
# A training day with its programme and the user's memberships in it (none: one row, no membership).
_DAY_ACCESS = (select(TrainingDay, Programme, Membership)
               .join(Programme, Programme.id == TrainingDay.programme_id)
               .outerjoin(Membership, (Membership.programme_id == Programme.id)
                          & (Membership.user_id == bindparam("user_id")))
               .where(TrainingDay.id == bindparam("day_id")))


def programme_access(user: User, programme_id: int) -> ProgrammeAccess:
    """Return ``user``'s roles in the programme; NotFound if it does not exist.

    In a read-only request (a GET: nothing it does can change a role) the answer is kept for the
    rest of the request, so a view and the services it calls, which each check, read it once.
    """
    memo = db.session.info.setdefault("programme_access", {}) if database.read_only.get() else None
    if memo is not None and (user.id, programme_id) in memo:
        return memo[user.id, programme_id]
    # One statement: the programme with the user's memberships in it (none: one row, no membership).
    rows = db.session.execute(_ACCESS, {"user_id": user.id, "programme_id": programme_id}).all()
    if not rows:
        raise NotFound("No such programme.")
    return _access(user, rows[0][0], [m for _, m in rows], memo)


def _access(user: User, programme: Programme, memberships: list[Membership | None],
            memo: dict | None) -> ProgrammeAccess:
    """The access ``memberships`` (the user's in ``programme``; None for none) give, kept for the
    rest of the request in ``memo`` when there is one."""
    held = {m.role: m for m in memberships if m is not None}
    for membership in held.values():
        # Hold the programme on each membership: a caller that keeps only the membership would
        # otherwise load the programme again once this object is garbage-collected.
        set_committed_value(membership, "programme", programme)
    result = ProgrammeAccess(programme, frozenset(held), held)
    if memo is not None:
        memo[user.id, programme.id] = result
    return result


def require_day(user: User, day_id: int, roles: set[str] | tuple[str, ...]) -> tuple[TrainingDay, ProgrammeAccess]:
    """The training day with this id and the user's access to its programme, if they hold one of
    ``roles`` there: one statement for both (a day's pages would otherwise read the day, then
    the access). NotFound for a day that does not exist, PermissionDenied as ``require_membership``."""
    rows = db.session.execute(_DAY_ACCESS, {"user_id": user.id, "day_id": day_id}).all()
    if not rows:
        raise NotFound("No such training day.")
    day, programme, _ = rows[0]
    set_committed_value(day, "programme", programme)
    memo = db.session.info.setdefault("programme_access", {}) if database.read_only.get() else None
    result = _access(user, programme, [m for *_, m in rows], memo)
    if not result.has(*roles):
        raise PermissionDenied(NO_ROLE)
    return day, result


def require_membership(user: User, programme_id: int, roles: set[str] | tuple[str, ...]) -> ProgrammeAccess:
    """Return the user's access to the programme if they hold one of ``roles`` there.

    Admins reach a programme's data only through a role they hold in it. Raises NotFound for a
    programme that does not exist and PermissionDenied for one the user may not reach.
    """
    access = programme_access(user, programme_id)
    if not access.has(*roles):
        raise PermissionDenied(NO_ROLE)
    return access


def require_admin(user: User) -> None:
    """Raise PermissionDenied unless ``user`` is an admin."""
    if not user.is_admin:
        raise PermissionDenied("Only administrators can do this.")


def programmes_for(user: User, *roles: str) -> list[Programme]:
    """Programmes where ``user`` holds any of ``roles``, newest first."""
    return list(db.session.scalars(
        select(Programme).join(Membership)
        .where(Membership.user_id == user.id, Membership.role.in_(roles))
        .distinct().order_by(Programme.start_date.desc())))


def can_create_programmes(user: User) -> bool:
    """Admins and anyone who leads a programme may start a new one."""
    return bool(user.is_admin) or bool(db.session.scalar(
        select(Membership.id).where(Membership.user_id == user.id, Membership.role == "lead").limit(1)))


COMPARISON_ONLY = ("You are in the comparison group of your programme's evaluation, so the training "
                   "material (modules, activities, goals and peer coaching) is not shown to you: the "
                   "comparison only works if the two groups stay apart. You are asked to answer short "
                   "wellbeing questionnaires, which you will find on your home page.")


def places_of(user: User) -> list[tuple[str, str | None]]:
    """The user's (role, arm) pairs across all programmes, in one query."""
    return [(row.role, row.arm) for row in db.session.execute(_PLACES, {"user_id": user.id})]


def sees_training_material(user: User, places: list[tuple[str, str | None]] | None = None) -> bool:
    """False for a comparison-arm participant with no other place that shows them the training
    (an intervention place, a staff role, or admin); True for everyone else.

    ``places`` (from ``places_of``) saves the query when the caller already has them.
    """
    if user.is_admin:
        return True
    places = places_of(user) if places is None else places
    comparison = [p for p in places if p == ("participant", "comparison")]
    return not comparison or len(comparison) < len(places)


def require_training_material(user: User) -> None:
    """NotForComparisonArm, with the reason, for a user who may not see the training material."""
    if not sees_training_material(user):
        raise NotForComparisonArm(COMPARISON_ONLY)


def require_own(membership: Membership, model, record_id: int, *, owner: str = "membership_id",
                noun: str = "entry"):
    """The ``model`` row ``record_id`` if ``membership`` owns it (its ``owner`` column).

    Anyone else's record, like a missing one, is NotFound: its existence is not revealed.
    """
    record = db.session.get(model, record_id)
    if record is None or getattr(record, owner) != membership.id:
        raise NotFound(f"No such {noun}.")
    return record
