"""The cohort: enrolling participants one by one or from a CSV file, randomising arms, the waitlist."""
import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from trainer.errors import RuleViolation
from trainer.extensions import db
from trainer.models import ARMS, Membership, Programme, Randomisation, User
from trainer.services.accounts import access, accounts
from trainer.services.privacy import audit
from trainer.services.scheduling import programmes, randomisation
from trainer.services.system import listing, outbox
from trainer.wording import plural

REQUIRED_COLUMNS = ("name", "email")
RANDOMISABLE_STATUSES = ("draft", "scheduled")


@dataclass(frozen=True)
class CohortRow:
    """One clean row of an import file."""

    line: int
    name: str
    email: str
    arm: str | None
    team: str | None


@dataclass(frozen=True)
class Selection:
    """Whom to randomise: "unallocated" (no arm yet), "all", the given "teams", or "chosen" ids."""

    scope: str = "chosen"
    teams: tuple[str, ...] = ()
    membership_ids: tuple[int, ...] = ()


def suggested_scope(members: list[Membership]) -> str:
    """The randomise form's first choice: those without an arm, unless everyone has one already
    (then a re-randomisation of all is what the lead is there for)."""
    return "all" if all(m.arm for m in members) else "unallocated"


@dataclass
class ImportCheck:
    """The result of checking a whole file: its clean rows and every problem, by line."""

    rows: list[CohortRow] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


class CohortImportError(RuleViolation):
    """The file has problems; ``problems`` lists ``(line number, reason)``. Nothing was imported."""

    def __init__(self, problems: list[tuple[int, str]]):
        super().__init__(f"The file has {plural(len(problems), 'problem')}; nothing was imported",
                         field="file")
        self.problems = problems


def participants(programme: Programme) -> list[Membership]:
    """The programme's participants, by arm then name."""
    return list(db.session.scalars(
        select(Membership).join(User).where(Membership.programme_id == programme.id,
                                            Membership.role == "participant")
        .options(selectinload(Membership.user)).order_by(Membership.arm, User.display_name)))


ARM_FILTERS = ARMS + ("none",)
NO_TEAM = "(none)"


def participant_page(programme: Programme, *, q: str = "", arm: str | None = None,
                     team: str | None = None, page: int = 1) -> listing.ListPage:
    """One page of the programme's participants by arm then name, matching ``q`` (name, e-mail
    or team), ``arm`` ("none": not randomised yet) and ``team`` (``NO_TEAM`` for none) if given."""
    query = listing.matching(
        select(Membership).join(User).where(Membership.programme_id == programme.id,
                                            Membership.role == "participant")
        .options(selectinload(Membership.user)), q, User.display_name, User.email, Membership.team)
    if arm == "none":
        query = query.where(Membership.arm.is_(None))
    elif arm:
        query = query.where(Membership.arm == arm)
    if team is not None:
        query = query.where(Membership.team.is_(None) if team == NO_TEAM else Membership.team == team)
    return listing.paginate(query.order_by(Membership.arm, User.display_name, Membership.id), page=page)


def enrol_participant(actor: User, programme: Programme, *, name: str, email: str, arm: str,
                      team: str | None, base_url: str, now: datetime) -> tuple[Membership, str | None]:
    """Enrol one participant, inviting them if they have no account; commits.

    ``arm`` None leaves them to be randomised, which is allowed only before training starts.

    Returns the membership and, for a new account, its one-time set-password link.
    """
    if arm is not None and arm not in ARMS:
        raise RuleViolation("Choose the intervention or the comparison arm", field="arm")
    if arm is None and programme.status not in RANDOMISABLE_STATUSES:
        raise RuleViolation("Training has started, so there is no randomisation to wait for: "
                            "choose the intervention or the comparison arm", field="arm")
    user, link = programmes.find_or_invite(actor, email, name, base_url=base_url, now=now)
    if _enrolled(programme, user.email):
        raise RuleViolation(f"{user.display_name} is already enrolled in this programme", field="email")
    membership = programmes.add_member(programme, user, "participant", arm=arm,
                                       team=(team or "").strip() or None)
    audit.record(actor.id, "participant.enrolled", membership, programme_id=programme.id)
    db.session.commit()
    return membership, link


def check_import(programme: Programme, text: str) -> ImportCheck:
    """Check every row of a cohort CSV (name, email, optional arm, optional team or locality).

    A blank or missing arm leaves the participant to be randomised.

    Line numbers count the header as line 1. Problems: missing columns, a blank name, a bad
    e-mail address, an unknown arm, a duplicate in the file, someone already enrolled.
    """
    check = ImportCheck()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        check.problems.append((1, "The first line must name the columns name and email "
                                  f"(missing: {', '.join(missing)})"))
        return check
    reader.fieldnames = headers
    seen: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        row = {k: (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        reasons = []
        if not row.get("name"):
            reasons.append("the name is blank")
        try:
            email = accounts.normalise_email(row.get("email", ""))
        except RuleViolation:
            email = None
            reasons.append(f"'{row.get('email', '')}' is not a valid email address")
        arm = row.get("arm", "").lower() or None
        if arm is not None and arm not in ARMS:
            reasons.append(f"the arm '{row.get('arm', '')}' is unknown (use intervention or comparison)")
        if email and email in seen:
            reasons.append(f"{email} is also on line {seen[email]}")
        elif email and _enrolled(programme, email):
            reasons.append(f"{email} is already enrolled in this programme")
        if email:
            seen.setdefault(email, line)
        if reasons:
            check.problems.append((line, "; ".join(reasons)))
        else:
            team = row.get("team") or row.get("locality") or None
            check.rows.append(CohortRow(line, row["name"], email, arm, team))
    if not check.rows and not check.problems:
        check.problems.append((1, "The file has no participants in it"))
    return check


def import_cohort(actor: User, programme: Programme, text: str, *, base_url: str,
                  now: datetime) -> list[tuple[Membership, str | None]]:
    """Import a clean file in one transaction, inviting new people; CohortImportError otherwise."""
    check = check_import(programme, text)
    if check.problems:
        raise CohortImportError(check.problems)
    enrolled = []
    for row in check.rows:
        user, link = programmes.find_or_invite(actor, row.email, row.name, base_url=base_url, now=now)
        enrolled.append((programmes.add_member(programme, user, "participant", arm=row.arm,
                                               team=row.team), link))
    audit.record(actor.id, "cohort.imported", programme, programme_id=programme.id,
                 count=len(enrolled))
    db.session.commit()
    return enrolled


def participant_teams(programme: Programme) -> list[tuple[str, int]]:
    """The teams of the programme's participants with how many are in each ("" for no team)."""
    rows = db.session.execute(select(Membership.team, func.count(Membership.id)).where(
        Membership.programme_id == programme.id, Membership.role == "participant")
        .group_by(Membership.team)).all()
    return sorted((team or "", n) for team, n in rows)


def randomise(actor: User, programme: Programme, selection: Selection, *,
              seed: str | None = None) -> Randomisation:
    """Allocate the selected participants to arms, stratified by team, and record how; commits.

    Uses ``randomisation.stratified_blocks``; the record keeps the algorithm, its version, the
    seed and the allocation list, so the allocation can be checked and reproduced.
    """
    if programme.status not in RANDOMISABLE_STATUSES:
        raise RuleViolation("Participants can only be randomised before training starts")
    members = {m.id: m for m in participants(programme)}
    if selection.scope == "unallocated":
        chosen = [mid for mid, m in members.items() if m.arm is None]
    elif selection.scope == "all":
        chosen = list(members)
    elif selection.scope == "teams":
        chosen = [mid for mid, m in members.items() if (m.team or "") in set(selection.teams)]
    else:
        chosen = [mid for mid in dict.fromkeys(selection.membership_ids) if mid in members]
    if len(chosen) < 2:
        raise RuleViolation("Choose at least two participants to randomise", field="membership_ids")
    seed = (seed or "").strip() or secrets.token_hex(8)
    sequence = randomisation.stratified_blocks({mid: members[mid].team for mid in chosen}, seed, ARMS)
    for line in sequence:
        members[line.membership_id].arm = line.arm
    record = Randomisation(programme_id=programme.id, seed=seed, created_by_id=actor.id,
                           method=randomisation.ALGORITHM, method_version=randomisation.VERSION,
                           allocation={str(a.membership_id): a.arm for a in sequence},
                           sequence=[{"membership_id": a.membership_id, "arm": a.arm,
                                      "stratum": a.stratum, "block": a.block} for a in sequence])
    db.session.add(record)
    audit.record(actor.id, "cohort.randomised", record, programme_id=programme.id, seed=seed)
    db.session.commit()
    return record


def allocation_list(record: Randomisation) -> list[tuple[str, str, str, int | None]]:
    """A randomisation's allocation as (name, arm, stratum, block) rows in allocation order."""
    names = dict(db.session.execute(select(Membership.id, User.display_name).join(User).where(
        Membership.programme_id == record.programme_id)).all())
    lines = record.sequence or [{"membership_id": int(k), "arm": v, "stratum": "", "block": None}
                                for k, v in record.allocation.items()]
    return [(names.get(line["membership_id"], "(no longer enrolled)"), line["arm"], line["stratum"],
             line["block"]) for line in lines]


def randomisations(programme: Programme) -> list[Randomisation]:
    """The programme's randomisations, newest first."""
    return list(db.session.scalars(select(Randomisation).where(
        Randomisation.programme_id == programme.id).order_by(Randomisation.id.desc())))


def waitlist_targets(user: User, source: Programme) -> list[Programme]:
    """The programmes ``user`` leads that could take ``source``'s comparison group: not started."""
    return [p for p in access.programmes_for(user, "lead")
            if p.id != source.id and p.status in RANDOMISABLE_STATUSES]


def offer_waitlist(actor: User, source: Programme, target: Programme) -> int:
    """Enrol ``source``'s comparison participants in ``target``'s intervention arm; commits.

    Allowed once ``source``'s evaluation is closed, into a programme that has not started. Each
    person is told by e-mail. Returns how many were enrolled (people already there are skipped).
    """
    if source.status != "closed":
        raise RuleViolation("Offer the comparison group a place once this evaluation is closed")
    if target.id == source.id or target.status not in RANDOMISABLE_STATUSES:
        raise RuleViolation("Choose a later programme that has not started yet", field="target_id")
    count = 0
    for member in participants(source):
        if member.arm != "comparison" or _enrolled(target, member.user.email):
            continue
        programmes.add_member(target, member.user, "participant", arm="intervention", team=member.team)
        outbox.enqueue(dedupe_key=f"waitlist:{target.id}:{member.user_id}", kind="waitlist",
                       to=member.user, subject=f"A place for you: {target.name}",
                       body=f"Hello {member.user.display_name},\n\nThank you for taking part in the "
                            f"evaluation of {source.name}. You now have a place on {target.name}, "
                            f"starting {target.start_date:%-d %B %Y}. Sign in to see your training days.\n")
        count += 1
    audit.record(actor.id, "cohort.waitlist_offered", target, programme_id=target.id,
                 source=source.id, count=count)
    db.session.commit()
    return count


def _enrolled(programme: Programme, email: str) -> bool:
    return bool(db.session.scalar(select(Membership.id).join(User).where(
        Membership.programme_id == programme.id, Membership.role == "participant",
        User.email == email)))
