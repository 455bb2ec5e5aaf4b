"""Organisation settings: the name shown everywhere, default support resources, data retention."""
from dataclasses import dataclass
from datetime import datetime

from flask import g, has_request_context, request
from sqlalchemy import select

from trainer.errors import RuleViolation
from trainer.extensions import db
from trainer.models import OrganisationSettings, User
from trainer.models.organisation import DEFAULT_RETENTION_MONTHS
from trainer.services.privacy import audit

SETTINGS_ID = 1
MAX_RETENTION_MONTHS = 600


@dataclass(frozen=True)
class Resource:
    """A source of help: a title and how to reach it."""

    title: str
    details: str = ""


def settings() -> OrganisationSettings:
    """The organisation's settings; until an admin saves them, unsaved defaults (nothing is written)."""
    row = db.session.get(OrganisationSettings, SETTINGS_ID)
    if row is None:
        row = OrganisationSettings(id=SETTINGS_ID, name="", support_resources="",
                                   retention_months=DEFAULT_RETENTION_MONTHS)
    return row


# Read on every page (the header): one column through a statement built once, not the whole row.
# The signed-in user's statement (accounts.load_session_user) reads it as a subquery.
NAME = select(OrganisationSettings.name).where(OrganisationSettings.id == SETTINGS_ID)


def remember_name(name: str | None) -> None:
    """Keep the organisation's name read with the session's user for the rest of a GET request,
    which cannot change it (GETs run read-only); other requests read it afresh."""
    if has_request_context() and request.method == "GET":
        g.organisation_name = name or ""


def organisation_name() -> str:
    """The organisation's name, or "" if none is set: as read with the signed-in user on a GET
    (``remember_name``), by its own statement otherwise."""
    if has_request_context() and "organisation_name" in g:
        return g.organisation_name
    return db.session.scalar(NAME) or ""


def retention_months() -> int:
    """How many months personal data is kept after a programme closes (the retention job reads it)."""
    return settings().retention_months or DEFAULT_RETENTION_MONTHS


def parse_resources(text: str) -> list[Resource]:
    """Resources from text: blocks separated by a blank line; first line the title, the rest details."""
    blocks = [b.strip() for b in (text or "").replace("\r\n", "\n").split("\n\n") if b.strip()]
    resources = []
    for block in blocks:
        title, _, details = block.partition("\n")
        resources.append(Resource(title.strip()[:200], details.strip()))
    return resources


def default_support_resources() -> list[Resource]:
    """The organisation's default support resources, offered where a programme has set none."""
    return parse_resources(settings().support_resources)


def update_settings(actor: User, *, name: str, support_resources: str, retention_months: int,
                    now: datetime) -> OrganisationSettings:
    """Save the organisation's settings (admins). RuleViolation on a bad retention period. Commits."""
    if retention_months is None or not 1 <= retention_months <= MAX_RETENTION_MONTHS:
        raise RuleViolation(f"Retention period must be between 1 and {MAX_RETENTION_MONTHS} months",
                            field="retention_months")
    row = db.session.get(OrganisationSettings, SETTINGS_ID)
    if row is None:
        row = OrganisationSettings(id=SETTINGS_ID)
        db.session.add(row)
    row.name = (name or "").strip()[:200]
    row.support_resources = (support_resources or "").strip()
    row.retention_months = retention_months
    row.updated_at = now
    audit.record(actor.id, "organisation.updated", row, retention_months=retention_months)
    db.session.commit()
    return row
