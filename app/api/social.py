"""Follow and unfollow users."""

from flask import abort, g, request

from app import safety
from app.api.blueprint import bp
from app.api.users import ID, user_or_404
from app.extensions import db
from app.models import User


def other_user_or_error(id: int) -> User:
    """Return the user to (un)follow, answering 404 for an unknown one and 400 for yourself."""
    user = user_or_404(id)
    if user.id == g.current_user.id:
        abort(400, "You cannot follow or unfollow yourself.")
    return user


@bp.route(f"/users/{ID}/follow", methods=["POST", "DELETE"], errors=(400, 403, 404))
@bp.response(204)
def follow(id: int):
    """Follow a user (POST) or stop following them (DELETE).

    Following twice is the same as following once; unfollowing someone you do not follow changes nothing.
    """
    user = other_user_or_error(id)
    if request.method == "POST":
        if safety.blocked_between(g.current_user, user):
            abort(403, "A block stands between you and this user.")
        g.current_user.follow(user)
    else:
        g.current_user.unfollow(user)
    db.session.commit()
    return ""
