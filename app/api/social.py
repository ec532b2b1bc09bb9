"""Follow and unfollow users."""

from flask import abort, g

from app.api.auth import token_auth_required
from app.api.blueprint import bp
from app.api.errors import documents_errors
from app.api.users import ID, user_or_404
from app.extensions import db
from app.models import User


def other_user_or_error(id: int) -> User:
    """Return the user to (un)follow, answering 404 for an unknown one and 400 for yourself."""
    user = user_or_404(id)
    if user.id == g.current_user.id:
        abort(400, "You cannot follow or unfollow yourself.")
    return user


@bp.route(f"/users/{ID}/follow", methods=["POST"])
@token_auth_required
@bp.response(204)
@documents_errors(400, 404)
def follow(id: int):
    """Follow a user (following twice is the same as once)."""
    g.current_user.follow(other_user_or_error(id))
    db.session.commit()
    return ""


@bp.route(f"/users/{ID}/follow", methods=["DELETE"])
@token_auth_required
@bp.response(204)
@documents_errors(400, 404)
def unfollow(id: int):
    """Stop following a user (a no-op when you do not follow them)."""
    g.current_user.unfollow(other_user_or_error(id))
    db.session.commit()
    return ""
