"""Get and revoke API tokens."""

from flask import g

from app.api import schemas
from app.api.blueprint import bp
from app.extensions import db


@bp.route("/tokens", methods=["POST"], auth="basic")
@bp.response(200, schemas.Token)
def get_token():
    """Return a bearer token for the Basic-authenticated user (the current one while it has over a minute left)."""
    token = g.current_user.get_token()
    db.session.commit()
    return {"token": token}


@bp.route("/tokens", methods=["DELETE"])
@bp.response(204)
def revoke_token():
    """Revoke the caller's token."""
    g.current_user.revoke_token()
    db.session.commit()
    return ""
