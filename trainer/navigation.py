"""The header navigation, built from what the signed-in user may do, and the organisation's name."""
import logging

from flask import Flask, g, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from trainer.extensions import db
from trainer.services.accounts import access
from trainer.services.privacy import consent
from trainer.services.system import organisation

log = logging.getLogger(__name__)


def request_places() -> list[tuple[str, str | None]]:
    """The signed-in user's (role, arm) pairs (``access.places_of``), read once per GET request
    and shared by the consent gate and the navigation; read afresh for other methods, whose view
    may have changed them."""
    if request.method != "GET":
        return access.places_of(current_user)
    if "places" not in g:
        # Normally read with the session's user (consent.remember_places); otherwise here, with
        # the programmes whose information the user must consent to: the consent gate's answer
        # comes in the same statement (consent.places_and_consent_due).
        g.places, g.consent_due = consent.places_and_consent_due(current_user)
    return g.places


def request_consent_due(programme_id: int | None) -> int | None:
    """``consent.consent_gate`` for the signed-in user: from the statement of ``request_places``
    on a GET, by its own query otherwise."""
    if request.method != "GET":
        return consent.consent_gate(current_user, programme_id)
    request_places()
    return consent.first_due(g.consent_due, programme_id)


def init_app(app: Flask) -> None:
    """Provide ``navigation`` and ``organisation_name`` to every template."""

    @app.context_processor
    def _organisation():
        try:
            return {"organisation_name": organisation.organisation_name()}
        except SQLAlchemyError:
            # An error page must still render when the database is down.
            db.session.rollback()
            log.warning("Organisation name unavailable: the database did not answer")
            return {"organisation_name": ""}

    @app.context_processor
    def _navigation():
        if not current_user.is_authenticated:
            return {"navigation": []}
        # One query of the user's roles answers both questions below, on every page.
        places = request_places()
        items = [("Home", url_for("home.index"))]
        if access.sees_training_material(current_user, places):
            items.append(("Curriculum", url_for("curriculum.index")))
        if current_user.is_admin or any(role in ("lead", "trainer", "evaluator") for role, _ in places):
            items.append(("Programmes", url_for("programmes.index")))
        if current_user.is_admin:
            items.append(("Admin", url_for("admin.users")))
        if current_user.is_admin or any(role == "lead" for role, _ in places):
            items.append(("Audit", url_for("audit.index")))
        items.append(("Your data", url_for("privacy.my_data")))
        items.append(("Password", url_for("auth.change_password")))
        path = request.path
        return {"navigation": [
            {"label": label, "href": href,
             "current": path == href or (href != "/" and path.startswith(href))}
            for label, href in items]}
