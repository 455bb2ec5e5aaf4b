"""The current instant and local dates, in one place so services can take them as arguments."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """Return the current instant as an aware UTC datetime."""
    return datetime.now(timezone.utc)


def today_in(tz_name: str, now: datetime | None = None) -> date:
    """Return the local calendar date in ``tz_name`` at ``now`` (default: this instant)."""
    return (now or utcnow()).astimezone(ZoneInfo(tz_name)).date()


def local_instant(day: date, at, tz_name: str) -> datetime:
    """Return the aware UTC instant of local wall-clock time ``at`` on ``day`` in ``tz_name``."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz_name)).astimezone(timezone.utc)
