"""One submission, one result: a form's one-time token turns a repeated POST into the first result."""
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from trainer.errors import RuleViolation
from trainer.extensions import db
from trainer.models import Submission

T = TypeVar("T")
# How long a repeat waits for the first submission to record where its result is (the first one
# commits what it created and then, a moment later, its result's address).
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Outcome:
    """Where the result is, and whether this submission created it (``result``) or repeated one."""

    url: str
    created: bool
    result: object = None


def submit_once(token: str | None, user_id: int, create: Callable[[], T],
                result_url: Callable[[T], str]) -> Outcome:
    """Run ``create()`` (a service verb that commits) once per ``token``; return its result's URL.

    The token is stored in the same transaction as what ``create`` writes, under a unique
    constraint: a second POST with the token (a double click, a resend, a concurrent request)
    creates nothing and gets the URL the first one recorded. A domain error from ``create``
    rolls the token back with everything else, so the corrected form can be sent again. Without
    a token (a client that sent none) ``create`` simply runs.
    """
    if not token:
        result = create()
        return Outcome(result_url(result), True, result)
    if db.session.scalar(select(Submission.id).where(Submission.token == token)) is not None:
        return _first_result(token, user_id)
    db.session.add(Submission(token=token, user_id=user_id))
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent submission with this token got there first
        db.session.rollback()
        return _first_result(token, user_id)
    try:
        result = create()
    except Exception:
        db.session.rollback()
        raise
    url = result_url(result)
    db.session.execute(update(Submission).where(Submission.token == token).values(result_url=url))
    db.session.commit()
    return Outcome(url, True, result)


def _first_result(token: str, user_id: int) -> Outcome:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        first = db.session.execute(select(Submission.user_id, Submission.result_url)
                                   .where(Submission.token == token)).first()
        db.session.rollback()  # end the read, so the next one sees the first submission's commit
        if first is None or first.user_id != user_id:
            raise RuleViolation("This form has already been sent. Reload the page and try again.")
        if first.result_url:
            return Outcome(first.result_url, False)
        if time.monotonic() > deadline:
            raise RuleViolation("This form has already been sent and is still being saved. "
                                      "Reload the page in a moment.")
        time.sleep(POLL_SECONDS)
