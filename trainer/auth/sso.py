"""Single sign-on with OpenID Connect: one Authlib client per app, configured from OIDC_* settings."""
import logging

import requests
from authlib.integrations.flask_client import OAuth
from flask import Flask, abort, current_app

log = logging.getLogger(__name__)

EXTENSION = "trainer_oidc"


class ProviderUnavailable(Exception):
    """The identity provider did not answer (discovery, keys or the token exchange failed)."""


def init_app(app: Flask) -> None:
    """Register the OpenID Connect client when OIDC_ISSUER is set (discovery from the issuer).

    The client sends state, a nonce and a PKCE challenge (S256) and checks all three on return.
    """
    issuer = app.config.get("OIDC_ISSUER")
    if not issuer:
        return
    oauth = OAuth(app)
    app.extensions[EXTENSION] = oauth.register(
        "oidc", client_id=app.config.get("OIDC_CLIENT_ID"),
        client_secret=app.config.get("OIDC_CLIENT_SECRET"),
        server_metadata_url=f"{issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                       "timeout": 20})


def enabled() -> bool:
    """True when this app signs people in with OpenID Connect."""
    return EXTENSION in current_app.extensions


def password_signin() -> bool:
    """False when PASSWORD_SIGNIN=off and single sign-on is on: the password form is hidden."""
    return bool(current_app.config.get("PASSWORD_SIGNIN", True)) or not enabled()


def require_enabled() -> None:
    """404 unless single sign-on is configured."""
    if not enabled():
        abort(404)


def client():
    """The app's OpenID Connect client; 404 when single sign-on is not configured."""
    require_enabled()
    return current_app.extensions[EXTENSION]


def begin(redirect_uri: str):
    """The redirect to the provider's sign-in; ProviderUnavailable if its discovery fails."""
    try:
        return client().authorize_redirect(redirect_uri)
    except requests.RequestException as exc:
        log.warning("Single sign-on provider unavailable: %s", exc)
        raise ProviderUnavailable from exc


def finish() -> dict:
    """The verified ID token's claims of the sign-in the provider sent back.

    Authlib checks the state against this browser's session, sends the PKCE verifier with the
    code, and checks the ID token (signature, issuer, audience, expiry, nonce). OAuthError if any
    check fails; ProviderUnavailable if the provider does not answer.
    """
    try:
        return client().authorize_access_token().get("userinfo") or {}
    except requests.RequestException as exc:
        log.warning("Single sign-on provider unavailable: %s", exc)
        raise ProviderUnavailable from exc
