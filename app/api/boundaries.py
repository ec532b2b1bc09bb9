"""Blocks and mutes: block or mute a user, lift it, and list whom you block and mute."""

from flask import abort, g, request

from app import safety
from app.api import schemas
from app.api.blueprint import bp
from app.api.pagination import paginated
from app.api.representation import dump
from app.api.users import ID, user_or_404
from app.extensions import db
from app.models import User


def _change(id: int, on, off):
    """Apply `on` (POST) or `off` (DELETE) to the caller and user `id`; 404 unknown, 400 yourself."""
    user = user_or_404(id)
    try:
        (on if request.method == "POST" else off)(g.current_user, user)
    except safety.CannotTargetYourself:
        abort(400, "You cannot block or mute yourself.")
    db.session.commit()
    if request.method == "POST":
        return dump(user), 201
    return "", 204


@bp.route(f"/users/{ID}/block", methods=["POST"], errors=(400, 404))
@bp.response(201, schemas.User)
def block(id: int):
    """Block a user: follows between you end both ways; they cannot follow, message, answer or mention you,
    and neither of you sees the other's posts. Blocking twice is the same as once. Answers the user blocked."""
    return _change(id, safety.block, safety.unblock)


@bp.route(f"/users/{ID}/block", methods=["DELETE"], errors=(400, 404))
@bp.response(204)
def unblock(id: int):
    """Lift a block (follows that ended stay ended); unblocking someone you do not block changes nothing."""
    return _change(id, safety.block, safety.unblock)


@bp.route(f"/users/{ID}/mute", methods=["POST"], errors=(400, 404))
@bp.response(201, schemas.User)
def mute(id: int):
    """Mute a user: their posts, reposts and mentions are hidden from you; they are not told. Answers the user muted."""
    return _change(id, safety.mute, safety.unmute)


@bp.route(f"/users/{ID}/mute", methods=["DELETE"], errors=(400, 404))
@bp.response(204)
def unmute(id: int):
    """Lift a mute; unmuting someone you do not mute changes nothing."""
    return _change(id, safety.mute, safety.unmute)


@bp.route("/blocks", methods=["GET"])
@paginated(schemas.UserCollection)
def get_blocks(page: int, per_page: int):
    """Return a page of the users you block, most recently blocked first."""
    return User.to_collection_dict(safety.blocked_users(g.current_user), page, per_page, "api.get_blocks")


@bp.route("/mutes", methods=["GET"])
@paginated(schemas.UserCollection)
def get_mutes(page: int, per_page: int):
    """Return a page of the users you mute, most recently muted first."""
    return User.to_collection_dict(safety.muted_users(g.current_user), page, per_page, "api.get_mutes")
