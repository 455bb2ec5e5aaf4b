"""Participant information (versioned) and consent per purpose: giving, re-confirming, on paper."""
from dataclasses import dataclass
from datetime import date

from flask import g, has_request_context, request
from sqlalchemy import String, and_, bindparam, case, cast, exists, func, select

from trainer.errors import NotFound, RuleViolation
from trainer.extensions import db
from trainer.models import Consent, Membership, ParticipantInformation, Programme, User
from trainer.services.privacy import audit
from trainer.services.accounts.access import require_membership

PURPOSE_LABELS = {
    "programme": "Taking part in the programme",
    "evaluation": "Use of my questionnaire answers and ratings in the evaluation",
    "follow_up": "Being contacted about follow-up, and having my retention in post tracked",
}
STANDARD_INFORMATION = (
    "This programme teaches skills for looking after your wellbeing at work. It is being "
    "evaluated: we ask participants to answer short wellbeing questionnaires before the training, "
    "after it and some months later, and to rate how useful each module was.\n\n"
    "Your individual answers are seen by you alone. Your programme lead and trainers see only "
    "figures about groups of five or more people. An evaluator sees answers under a random code, "
    "never with your name.\n\n"
    "Taking part, and letting your answers be used, is voluntary. You can withdraw at any time "
    "from your \"Your data and consent\" page, and choose whether the answers you gave so far may "
    "still be used or must be deleted. You can also download everything the app holds about you."
)


@dataclass(frozen=True)
class Information:
    """The participant information of a programme at one version."""

    version: int
    text: str


def current_information(programme: Programme) -> Information:
    """The newest version of the programme's information (version 1: the standard text)."""
    row = db.session.scalar(select(ParticipantInformation).where(
        ParticipantInformation.programme_id == programme.id)
        .order_by(ParticipantInformation.version.desc()).limit(1))
    return Information(row.version, row.text) if row else Information(1, STANDARD_INFORMATION)


def save_information(actor: User, programme: Programme, text: str) -> Information:
    """Leads: store ``text`` as a new version of the information; commits. Participants who
    consented to an older version are asked to confirm this one on their next visit."""
    require_membership(actor, programme.id, ("lead",))
    text = text.strip()
    if not text:
        raise RuleViolation("Enter the participant information", field="text")
    current = current_information(programme)
    if text == current.text:
        raise RuleViolation("The information is unchanged", field="text")
    row = ParticipantInformation(programme_id=programme.id, version=current.version + 1, text=text,
                                 created_by_id=actor.id)
    db.session.add(row)
    audit.record(actor.id, "information.updated", row, programme_id=programme.id, version=row.version)
    db.session.commit()
    return Information(row.version, row.text)


# Read on most participant pages (may_ask): built once, keeping its cache key.
_CONSENTS = select(Consent).where(Consent.membership_id == bindparam("membership_id"))


def consents_of(member: Membership) -> dict[str, Consent]:
    """The participant's consent rows by purpose."""
    return {c.purpose: c for c in db.session.scalars(_CONSENTS, {"membership_id": member.id})}


def needs_consent(member: Membership) -> bool:
    """True if the participant must see the information and consent (again) before going on:
    they have not consented to take part, or consented to an older version of the information.
    Someone who withdrew from the programme is not asked again."""
    if member.role != "participant" or member.withdrawn_from == "programme":
        return False
    taking_part = consents_of(member).get("programme")
    if taking_part is None:
        return True
    return taking_part.information_version < current_information(member.programme).version


def _consent_due():
    """SQL, for a membership: it must consent before going on (a participant, not withdrawn from
    the programme, with no consent to take part on the current version of the information)."""
    stored = (select(func.max(ParticipantInformation.version))
              .where(ParticipantInformation.programme_id == Membership.programme_id)
              .correlate_except(ParticipantInformation).scalar_subquery())
    agreed = (exists().where(Consent.membership_id == Membership.id, Consent.purpose == "programme",
                             Consent.information_version >= func.coalesce(stored, 1))
              .correlate_except(Consent))
    # CASE evaluates in order: the consent subquery runs for participants' rows only.
    return case((and_(Membership.role == "participant",
                      Membership.withdrawn_from.is_distinct_from("programme")), ~agreed), else_=False)


# Built once: a statement made at import keeps its cache key, so the gate, which runs on every
# page a participant opens, costs one cheap execution instead of building a query each time.
_DUE = _consent_due()
_GATE_ANY = (select(Membership.programme_id).where(Membership.user_id == bindparam("user_id"), _DUE)
             .order_by(Membership.id).limit(1))
_GATE_ONE = _GATE_ANY.where(Membership.programme_id == bindparam("programme_id"))
# Grouped, so that a lead of 200 programmes reads a few rows, not 200: per role and arm, how many
# memberships, and each programme due (a group of its own) with its membership's order.
_DUE_PROGRAMME = case((_DUE, Membership.programme_id), else_=None)
_PLACES_AND_DUE = (select(Membership.role, Membership.arm, _DUE_PROGRAMME.label("due"),
                          func.count().label("places"), func.min(Membership.id).label("first"))
                   .where(Membership.user_id == bindparam("user_id"))
                   .group_by(Membership.role, Membership.arm, _DUE_PROGRAMME)
                   .order_by(func.min(Membership.id)))


def consent_gate(user: User, programme_id: int | None) -> int | None:
    """The id of a programme whose information ``user`` must consent to before any other page of
    it (or, with ``programme_id`` None, of any programme), or None. One query when nothing is due."""
    if programme_id is None:
        return db.session.scalar(_GATE_ANY, {"user_id": user.id})
    return db.session.scalar(_GATE_ONE, {"user_id": user.id, "programme_id": programme_id})


def places_and_consent_due(user: User) -> tuple[list[tuple[str, str | None]], list[int]]:
    """In one statement: the user's (role, arm) pairs (as ``access.places_of``) and the ids of
    the programmes whose information they must consent to, in enrolment order; with
    ``first_due`` this answers ``consent_gate`` without a query of its own."""
    rows = db.session.execute(_PLACES_AND_DUE, {"user_id": user.id}).all()
    return _places_and_due(rows)


def _places_and_due(rows) -> tuple[list[tuple[str, str | None]], list[int]]:
    """``places_and_consent_due``'s answer from its grouped rows, in their order."""
    places = [(row.role, row.arm) for row in rows for _ in range(row.places)]
    return places, [row.due for row in rows if row.due is not None]


def _places_text():
    """``_PLACES_AND_DUE``'s rows as one text, "first:role:arm:due:places" joined by ";" (NULL
    when the user has no place), for a column of the statement that loads the session's user:
    roles and arms are words of the app's own (no ":" or ";"), the rest numbers."""
    rows = _PLACES_AND_DUE.subquery()
    item = (cast(rows.c.first, String) + ":" + rows.c.role + ":" + func.coalesce(rows.c.arm, "") + ":"
            + func.coalesce(cast(rows.c.due, String), "") + ":" + cast(rows.c.places, String))
    return select(func.aggregate_strings(item, ";")).scalar_subquery()


# Read with the session's user on a GET (accounts.load_session_user): the roles and the consent
# due come in the statement every page runs anyway. Binds "user_id", as that statement does.
PLACES_TEXT = _places_text()


@dataclass(frozen=True)
class _Place:
    first: int
    role: str
    arm: str | None
    due: int | None
    places: int


def places_from_text(text: str | None) -> tuple[list[tuple[str, str | None]], list[int]]:
    """``places_and_consent_due``'s answer from ``PLACES_TEXT``, in enrolment order (each
    group's first membership), whatever order the database joined them in."""
    rows = []
    for item in (text or "").split(";") if text else ():
        first, role, arm, due, places = item.split(":")
        rows.append(_Place(int(first), role, arm or None, int(due) if due else None, int(places)))
    return _places_and_due(sorted(rows, key=lambda row: row.first))


def remember_places(text: str | None) -> None:
    """Keep the roles and the consent due read with the session's user (``PLACES_TEXT``) for the
    rest of a GET request, which cannot change them (GETs run read-only); the navigation and the
    consent gate read them from there (``navigation.request_places``). Other requests read
    them afresh."""
    if has_request_context() and request.method == "GET":
        g.places, g.consent_due = places_from_text(text)


def first_due(due: list[int], programme_id: int | None) -> int | None:
    """``consent_gate``'s answer from ``places_and_consent_due``'s list of programmes due."""
    return next((p for p in due if programme_id is None or p == programme_id), None)


def _set(member: Membership, purpose: str, today: date, method: str, version: int,
         recorded_by: User | None) -> Consent:
    row = db.session.scalar(select(Consent).where(Consent.membership_id == member.id,
                                                  Consent.purpose == purpose))
    if row is None:
        row = Consent(membership_id=member.id, purpose=purpose)
        db.session.add(row)
    row.given_on, row.method, row.information_version = today, method, version
    row.recorded_by_id = recorded_by.id if recorded_by else None
    row.withdrawn_on = None
    return row


def _check_purposes(member: Membership, purposes: set[str]) -> None:
    if "programme" not in purposes:
        raise RuleViolation("To take part you need to agree to taking part in the programme. If you "
                            "do not want to, tell your programme lead.", field="programme")
    if member.withdrawn_on and purposes & {"evaluation", "follow_up"}:
        raise RuleViolation("You have withdrawn from the evaluation, so it cannot be agreed to again "
                            "here: please ask your programme lead.", field="evaluation")


def give_consent(member: Membership, purposes: set[str], *, today: date) -> None:
    """The participant consents online to ``purposes`` on the current information; commits.

    Taking part is required. A purpose agreed before and now left unticked is withdrawn (for the
    evaluation, use the withdrawal on the data page, which offers the choice about answers).
    """
    _check_purposes(member, purposes)
    version = current_information(member.programme).version
    before = consents_of(member)
    for purpose in purposes:
        _set(member, purpose, today, "online", version, None)
    for purpose, row in before.items():
        if purpose not in purposes and row.withdrawn_on is None and purpose == "follow_up":
            row.withdrawn_on = today
    action = "consent.reconfirmed" if "programme" in before else "consent.given"
    audit.record(member.user_id, action, member, programme_id=member.programme_id,
                 purposes=sorted(purposes), version=version)
    db.session.commit()


def record_paper_consent(actor: User, programme: Programme, membership_id: int, purposes: set[str],
                         given_on: date, *, today: date) -> Membership:
    """Leads: record consent a participant gave on paper on ``given_on``; audited; commits."""
    require_membership(actor, programme.id, ("lead",))
    member = db.session.get(Membership, membership_id)
    if member is None or member.programme_id != programme.id or member.role != "participant":
        raise NotFound("No such participant.")
    if given_on > today:
        raise RuleViolation("The date consent was given must not be in the future", field="given_on")
    _check_purposes(member, purposes)
    version = current_information(programme).version
    for purpose in purposes:
        _set(member, purpose, given_on, "paper", version, actor)
    audit.record(actor.id, "consent.recorded_on_paper", member, programme_id=programme.id,
                 purposes=sorted(purposes), version=version, given_on=given_on.isoformat())
    db.session.commit()
    return member


def askable(membership_id=Membership.id):
    """A SQL condition on Membership: the participant may be asked for evaluation data (they
    consented to the evaluation and have not withdrawn). ``membership_id``: another expression
    for the membership (a ``bindparam``) when the statement has no membership row."""
    return exists().where(Consent.membership_id == membership_id, Consent.purpose == "evaluation",
                          Consent.withdrawn_on.is_(None))


def may_ask(member: Membership, askable: bool | None = None) -> bool:
    """True if questionnaires and ratings may be asked of (and accepted from) the participant.

    ``askable``: what ``askable()`` answered for the member, when a statement has read it with
    other things; their consent is read here otherwise."""
    if askable is None:
        row = consents_of(member).get("evaluation")
        askable = row is not None and row.withdrawn_on is None
    return member.withdrawn_on is None and bool(askable)


def tracking_stopped():
    """A SQL condition on Membership: the participant withdrew consent to follow-up and retention
    tracking."""
    return exists().where(Consent.membership_id == Membership.id, Consent.purpose == "follow_up",
                          Consent.withdrawn_on.is_not(None))


def participants_for_paper(user: User, programme: Programme) -> list[tuple[Membership, dict[str, Consent]]]:
    """Leads: the programme's participants (by code) with their consents, for the consent register."""
    require_membership(user, programme.id, ("lead",))
    members = list(db.session.scalars(select(Membership).where(
        Membership.programme_id == programme.id, Membership.role == "participant")
        .order_by(Membership.code)))
    rows: dict[int, dict[str, Consent]] = {m.id: {} for m in members}
    for c in db.session.scalars(select(Consent).where(Consent.membership_id.in_(rows))):
        rows[c.membership_id][c.purpose] = c
    return [(m, rows[m.id]) for m in members]


@dataclass(frozen=True)
class MyPlace:
    """One programme a person takes part in, with what they agreed to, for their data page."""

    membership: Membership
    consents: dict[str, Consent]
    may_withdraw: bool


def places_for(user: User) -> list[MyPlace]:
    """The user's participant memberships with their consents, newest programme first."""
    members = list(db.session.scalars(select(Membership).join(Programme).where(
        Membership.user_id == user.id, Membership.role == "participant")
        .order_by(Programme.start_date.desc())))
    return [MyPlace(m, consents_of(m), m.withdrawn_from != "programme") for m in members]


def require_own_participation(user: User, programme_id: int) -> Membership:
    """The user's participant membership in the programme, or NotFound."""
    member = db.session.scalar(select(Membership).where(
        Membership.user_id == user.id, Membership.programme_id == programme_id,
        Membership.role == "participant"))
    if member is None:
        raise NotFound("You do not take part in this programme.")
    return member


def record_enrolment_consent(member: Membership, given_on: date,
                             purposes=("programme", "evaluation", "follow_up")) -> None:
    """Consent given on paper at enrolment on version 1 of the information (no commit; the demo)."""
    for purpose in purposes:
        _set(member, purpose, given_on, "paper", 1, None)
