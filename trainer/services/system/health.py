"""Health of the parts of the service: the scheduler's heartbeat."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from trainer.extensions import db
from trainer.models import SchedulerHeartbeat

HEARTBEAT_ID = 1


@dataclass(frozen=True)
class SchedulerStatus:
    """The scheduler's last heartbeat and whether it is recent enough."""

    last_heartbeat: datetime | None
    age_seconds: int | None
    state: str  # "ok", "stale", or "never" (no scheduler has run yet)

    @property
    def healthy(self) -> bool:
        """False only when a heartbeat exists and is older than the threshold."""
        return self.state != "stale"

    def as_dict(self) -> dict:
        """The status as JSON-ready values."""
        return {"status": self.state, "age_seconds": self.age_seconds,
                "last_heartbeat": self.last_heartbeat.isoformat() if self.last_heartbeat else None}


def record_heartbeat(now: datetime, *, host: str = "") -> None:
    """Record that the active scheduler is alive at ``now``. Commits."""
    row = db.session.get(SchedulerHeartbeat, HEARTBEAT_ID)
    if row is None:
        row = SchedulerHeartbeat(id=HEARTBEAT_ID)
        db.session.add(row)
    row.beat_at, row.host = now, host[:255]
    db.session.commit()


def scheduler_status(now: datetime, *, max_age: timedelta) -> SchedulerStatus:
    """The scheduler's state at ``now``: stale when its last heartbeat is older than ``max_age``."""
    row = db.session.get(SchedulerHeartbeat, HEARTBEAT_ID)
    if row is None:
        return SchedulerStatus(None, None, "never")
    age = now - row.beat_at
    return SchedulerStatus(row.beat_at, int(age.total_seconds()), "stale" if age > max_age else "ok")
