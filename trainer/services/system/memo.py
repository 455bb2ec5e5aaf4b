"""Pages remembered per process against their programme's data version, so never stale."""
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app
from sqlalchemy import bindparam, select

from trainer import database
from trainer.models import ProgrammeVersion
from trainer.services.system.rows import plain_rows

T = TypeVar("T")

# The tables whose writes move a programme's version (migration k12d0vers001 keeps them so):
# whatever is remembered against the version must be computed from these alone, and
# tests/web/test_remembered_pages.py holds each remembered page to it.
VERSIONED_TABLES = frozenset({
    "programmes", "memberships", "participant_information", "outcome_waves", "programme_instruments",
    "evaluation_plans", "evaluation_plan_versions", "training_days", "training_sessions", "consents",
    "outcome_responses", "outcome_scores", "activity_summaries", "day_attendance", "session_attendance",
    "users",
})
# The tables whose changes move a programme's ratings version as well (migration l12e0rates01;
# "modules" moves every programme's): what is remembered against both versions must be computed
# from these and VERSIONED_TABLES alone.
RATINGS_TABLES = frozenset({"rating_waves", "module_ratings", "rating_responses", "modules"})

_VERSIONS = select(ProgrammeVersion.version, ProgrammeVersion.ratings_version).where(
    ProgrammeVersion.programme_id == bindparam("programme"))


def versions(programme_id: int) -> tuple[int, int] | None:
    """The programme's data version and ratings version (None for a programme without them)."""
    row = plain_rows(_VERSIONS, {"programme": programme_id})
    return tuple(row[0]) if row else None


def version(programme_id: int) -> int | None:
    """The programme's data version (None for a programme without one)."""
    both = versions(programme_id)
    return both[0] if both else None


class Memo:
    """At most ``size`` values, the least recently used forgotten first; safe across threads.
    A value is computed again, not waited for, when two threads ask for it at once."""

    def __init__(self, size: int):
        self.size = size
        self._values: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value remembered under ``key``, or ``compute()``'s, then remembered."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = compute()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def forget(self, stale: Callable[[Hashable], bool]) -> None:
        """Forget every value whose key is ``stale``."""
        with self._lock:
            for key in [key for key in self._values if stale(key)]:
                del self._values[key]

    def clear(self) -> None:
        """Forget every value."""
        with self._lock:
            self._values.clear()


_PAGES = Memo(64)


def _enabled(enabled: bool | None) -> bool:
    """``enabled``, or by default the app's ``PAGE_MEMO`` setting."""
    return current_app.config.get("PAGE_MEMO", True) if enabled is None else enabled


def remembered(programme_id: int, key: tuple, compute: Callable[[], T], *, enabled: bool | None = None,
               ratings: bool = False) -> T:
    """``compute()`` for the programme's data as it is now, remembered under ``key`` and the
    programme's data version (and its ratings version, with ``ratings``). The version is read
    first, in the request's transaction, so the rows ``compute`` then reads are at least as new
    as it: a remembered value is never older than its version. ``compute`` must read only
    ``VERSIONED_TABLES`` (and, with ``ratings``, ``RATINGS_TABLES``) of this programme and be
    told, through ``key``, everything else it depends on (the reader's rights, the date).
    Computed every time, and not remembered, when not ``enabled`` (by default the app's
    ``PAGE_MEMO``), when the programme has no version, or outside a read-only request
    (``remembered_under``)."""
    current = versions(programme_id) if _enabled(enabled) and database.read_only.get() else None
    if current is None:
        return compute()
    # What was remembered under an older version of the programme is never shown again: it
    # leaves memory now (an erasure's figures with it), rather than when newer values push it out.
    data, rated = current
    _PAGES.forget(lambda k: k[0] == programme_id and (k[1] != data or k[2] not in (None, rated)))
    return _PAGES.get((programme_id, data, rated if ratings else None, *key), compute)


def remembered_under(key: tuple | None, compute: Callable[[], T], *, enabled: bool | None = None) -> T:
    """``compute()`` remembered under ``key``, which holds the versions (read before
    ``compute`` runs, in the request's transaction) of everything it reads, and everything else
    it depends on. Computed every time when ``key`` is None (something it reads has no
    version), when not ``enabled`` (by default the app's ``PAGE_MEMO``) or outside a read-only
    request: a request that may write could read its own uncommitted rows, under a version that
    a rollback would hand to other rows."""
    if key is None or not (_enabled(enabled) and database.read_only.get()):
        return compute()
    return _PAGES.get(key, compute)
