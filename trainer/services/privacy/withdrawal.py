"""Withdrawal from the evaluation or the programme, carried into every count in one transaction."""
from datetime import date

from sqlalchemy import delete, select

from trainer.errors import RuleViolation
from trainer.extensions import db
from trainer.models import (Consent, Membership, ModuleRating, OutcomeResponse, OutcomeScore,
                            OutcomeWave, RatingResponse, ScoreSharing)
from trainer.services.privacy import audit
from trainer.services.ratings import rating_summaries

SCOPES = ("evaluation", "programme")


def delete_answers(member: Membership) -> dict[str, int]:
    """Delete every rating, rating comment, questionnaire response and score of the participant
    (no commit); return how many rows of each went. Reports then count them nowhere."""
    response_ids = select(OutcomeResponse.id).where(OutcomeResponse.membership_id == member.id)
    rated = rating_summaries.waves_rated_by([member.id])
    counts = {
        "scores": db.session.execute(delete(OutcomeScore).where(
            OutcomeScore.response_id.in_(response_ids))).rowcount,
        "questionnaire_responses": db.session.execute(delete(OutcomeResponse).where(
            OutcomeResponse.membership_id == member.id)).rowcount,
        "ratings": db.session.execute(delete(ModuleRating).where(
            ModuleRating.membership_id == member.id)).rowcount,
        "rating_rounds": db.session.execute(delete(RatingResponse).where(
            RatingResponse.membership_id == member.id)).rowcount,
    }
    db.session.execute(delete(ScoreSharing).where(ScoreSharing.membership_id == member.id))
    rating_summaries.refresh(rated)
    db.session.expire_all()
    return counts


def withdraw(member: Membership, *, scope: str, keep_answers: bool, today: date,
             actor_id: int | None) -> dict[str, int]:
    """Withdraw the participant from the evaluation (or the whole programme) from ``today``;
    commits once, so nothing is left half done.

    Nothing more is asked of them. With ``keep_answers`` the answers given so far stay in the
    evaluation, marked withdrawn from today; otherwise they are deleted. Withdrawing from the
    evaluation also withdraws consent to follow-up (retention tracking stops); withdrawing from
    the programme withdraws every consent.
    """
    deleted = record_withdrawal(member, scope=scope, keep_answers=keep_answers, today=today,
                                actor_id=actor_id)
    db.session.commit()
    return deleted


def record_withdrawal(member: Membership, *, scope: str, keep_answers: bool, today: date,
                      actor_id: int | None) -> dict[str, int]:
    """``withdraw`` without the commit (for the demo, which loads in one transaction)."""
    if scope not in SCOPES:
        raise RuleViolation("Choose what to withdraw from", field="scope")
    if member.role != "participant":
        raise RuleViolation("Only participants can withdraw", field="scope")
    if member.withdrawn_from == "programme" or (member.withdrawn_on and scope == "evaluation"):
        raise RuleViolation("You have already withdrawn from this", field="scope")
    if member.withdrawn_on and not member.answers_kept and keep_answers:
        raise RuleViolation("Your answers have already been deleted", field="answers")
    purposes = ("evaluation", "follow_up") if scope == "evaluation" else ("programme", "evaluation",
                                                                          "follow_up")
    for row in db.session.scalars(select(Consent).where(Consent.membership_id == member.id,
                                                        Consent.purpose.in_(purposes))):
        row.withdrawn_on = row.withdrawn_on or today
    deleted = {} if keep_answers else delete_answers(member)
    member.withdrawn_on = member.withdrawn_on or today
    member.withdrawn_from = scope
    member.answers_kept = keep_answers
    audit.record(actor_id, "participant.withdrawn", member, programme_id=member.programme_id,
                 scope=scope, answers_kept=keep_answers, **deleted)
    return deleted


def withdrawal_counts(members: list[Membership],
                      waves: list[OutcomeWave]) -> list[tuple[str, dict[str, int]]]:
    """Withdrawals from the evaluation by arm and time point: (label, {arm: count}) for each
    wave ("before <wave>") and after the last one. A participant counts at the first wave that
    closed after they withdrew. ``members`` may be groups of participants sharing these facts
    that carry their number as ``people`` (the flow counts them so)."""
    ordered = sorted(waves, key=lambda w: w.closes_on)
    labels = [f"Withdrew before the end of: {w.label}" for w in ordered] + ["Withdrew after the last wave"]
    rows = [(label, {"intervention": 0, "comparison": 0}) for label in labels]
    for m in members:
        if m.withdrawn_on is None or m.arm not in ("intervention", "comparison"):
            continue
        index = next((i for i, w in enumerate(ordered) if m.withdrawn_on <= w.closes_on), len(ordered))
        rows[index][1][m.arm] += getattr(m, "people", 1)
    return rows
