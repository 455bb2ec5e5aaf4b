"""Random pseudonymous participant codes: unique within a programme, derived from nothing."""
import secrets

from sqlalchemy import select

from trainer.extensions import db
from trainer.models import Membership

# No 0/O, 1/I/L: a code read aloud or copied by hand cannot be mistaken for another.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 6


def random_code() -> str:
    """Six characters drawn by ``secrets`` from the unambiguous alphabet."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def new_code(programme_id: int, taken: set[str] | None = None) -> str:
    """A random code no participant of the programme has yet (``taken`` saves the query)."""
    if taken is None:
        db.session.flush()
        taken = set(db.session.scalars(select(Membership.code).where(
            Membership.programme_id == programme_id, Membership.code.is_not(None))))
    while (code := random_code()) in taken:
        continue
    return code
