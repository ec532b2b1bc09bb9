"""Get and revoke API tokens."""

from flask import current_app, g

from app.api import bp
from app.api.auth import basic_auth_required, token_auth_required
from app.extensions import db, limiter


def token_limit() -> str:
    return current_app.config["RATELIMIT_AUTH"]


@bp.route("/tokens", methods=["POST"])
@limiter.limit(token_limit)
@basic_auth_required
def get_token():
    """Return a bearer token for the Basic-authenticated user."""
    token = g.current_user.get_token()
    db.session.commit()
    return {"token": token}


@bp.route("/tokens", methods=["DELETE"])
@token_auth_required
def revoke_token():
    """Revoke the caller's token."""
    g.current_user.revoke_token()
    db.session.commit()
    return "", 204
