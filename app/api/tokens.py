"""Get and revoke API tokens."""

from flask import g, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from app import twofactor
from app.api import schemas
from app.api.blueprint import bp
from app.extensions import db


@bp.route("/tokens", methods=["POST"], auth="basic", errors=(403,))
@bp.response(200, schemas.Token)
def get_token():
    """Return a bearer token for the Basic-authenticated user (the current one while it has over a minute left).

    An account with two-factor sign-in also sends its current code (or a recovery code) in the
    `X-OTP` header; without a valid one the answer is 401.
    """
    if not twofactor.check_code(g.current_user, request.headers.get("X-OTP", "")):
        raise Unauthorized(
            "This account needs a valid two-factor code in the X-OTP header.",
            www_authenticate=WWWAuthenticate("basic", {"realm": "api"}),
        )
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
