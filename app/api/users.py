"""User resources: the tutorial's contract."""

import sqlalchemy as sa
from flask import abort, current_app, g, url_for
from flask_limiter.util import get_remote_address
from sqlalchemy.exc import IntegrityError

from app import avatars, confirmation, federation, safety
from app.api import schemas
from app.api.blueprint import bp
from app.api.pagination import paginated
from app.api.representation import dump
from app.extensions import db, limiter
from app.models import Permission, User, visibility
from app.web.rate_limits import auth_limit
from app.web.uploads import accepts_uploads

# Ids past the database's integer range are simply not found (see user_or_404).
ID = "<int:id>"


def user_or_404(id: int) -> User:
    """Return the user with this id, or answer 404 (also for a suspended account, but to moderators)."""
    user = db.session.get(User, id) if id <= schemas.MAX_ID else None
    if user is None or (user.is_suspended and not g.current_user.can(Permission.MODERATE)):
        abort(404, "There is no user with this id.")
    return user


def reachable_user_or_404(id: int) -> User:
    """Return the user with this id, or 404, also when they block the caller or are suspended (but to moderators)."""
    user, relation = None, safety.NO_RELATION
    if id <= schemas.MAX_ID:
        user, relation = safety.user_with_relation(sa.select(User).where(User.id == id), g.current_user)
    if user is None or relation.blocked_by or (user.is_suspended and not g.current_user.can(Permission.MODERATE)):
        abort(404, "There is no user with this id.")
    return user


def own_or_public(user: User) -> dict:
    """Return the user's representation, with the email address only on the caller's own record."""
    return dump(user, include=("email",) if user.id == g.current_user.id else ())


def check_unique(data: dict, user: User | None = None) -> None:
    """Answer 409 when the username or email (in any case) belongs to another user."""
    if "username" in data:
        other = db.session.scalar(User.by_username(data["username"]))
        if other is not None and other is not user:
            abort(409, "Please use a different username.")
    if "email" in data:
        other = db.session.scalar(sa.select(User).where(User.email == data["email"].strip().lower()))
        if other is not None and other is not user:
            abort(409, "Please use a different email address.")


def commit_unique() -> None:
    """Commit, turning a lost race for a username or email into a 409."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        abort(409, "Please use a different username or email address.")


@bp.route(f"/users/{ID}", methods=["GET"], errors=(404,))
@bp.response(200, schemas.User)
def get_user(id: int):
    """Return one user; `email` only on your own record."""
    return own_or_public(reachable_user_or_404(id))


@bp.route("/users/lookup", methods=["GET"], errors=(400, 404))
@bp.arguments(schemas.LookupArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.User)
def lookup_user(acct: str):
    """Find an account by its address, `name@host`: this server's, or another server's (with federation on).

    Another server's account is asked of its server the first time (WebFinger, then its actor and
    recent public posts) and kept: its id then serves the other user routes (follow it, read it).
    """
    handle = federation.parse_handle(acct)
    if handle is None:
        abort(400, "acct must be an address such as name@example.com.")
    name, host = handle
    if host != (current_app.config.get("SERVER_NAME") or "").lower() and not current_app.config.get("FEDERATION"):
        abort(404, "This server does not federate: only its own accounts can be found.")
    try:
        user = federation.find_account(name, host)
    except federation.LookupFailed:
        db.session.rollback()
        abort(404, "The account could not be found: its server did not answer, or has no such account.")
    if user is None:
        abort(404, "There is no such account.")
    db.session.commit()
    return own_or_public(reachable_user_or_404(user.id))


@bp.route("/users", methods=["GET"])
@paginated(schemas.UserCollection)
def get_users(page: int, per_page: int):
    """Return a page of users, oldest account first.

    Those who block the reader are left out, and suspended accounts too, except for moderators.
    """
    query = sa.select(User).order_by(User.id)
    if not g.current_user.can(Permission.MODERATE):
        query = query.where(visibility.reachable_users(User.id, g.current_user))
    return User.to_collection_dict(query, page, per_page, "api.get_users")


@bp.route(f"/users/{ID}/followers", methods=["GET"], errors=(404,))
@paginated(schemas.UserCollection)
def get_followers(id: int, page: int, per_page: int):
    """Return a page of the user's followers."""
    query = reachable_user_or_404(id).followers.select().order_by(User.id)
    return User.to_collection_dict(query, page, per_page, "api.get_followers", id=id)


@bp.route(f"/users/{ID}/following", methods=["GET"], errors=(404,))
@paginated(schemas.UserCollection)
def get_following(id: int, page: int, per_page: int):
    """Return a page of the users this user follows."""
    query = reachable_user_or_404(id).following.select().order_by(User.id)
    return User.to_collection_dict(query, page, per_page, "api.get_following", id=id)


@bp.route("/users", methods=["POST"], auth=None, errors=(409, 413, 415, 429))
@limiter.limit(auth_limit, key_func=get_remote_address)
@bp.arguments(schemas.UserCreate)
@bp.response(201, schemas.User, headers={"Location": {"schema": {"type": "string"}}})
def create_user(data: dict):
    """Register a user (no authentication); the answer's Location is the new user."""
    check_unique(data)
    user = User()
    user.from_dict(data, new_user=True)
    db.session.add(user)
    commit_unique()
    confirmation.registered(user)
    return dump(user, include=("email",)), {"Location": url_for("api.get_user", id=user.id)}


@bp.route(f"/users/{ID}", methods=["PUT"], errors=(403, 404, 409, 413, 415))
@bp.arguments(schemas.UserUpdate)
@bp.response(200, schemas.User)
def update_user(data: dict, id: int):
    """Update your own username, email or about-me text.

    A new email address is emailed a confirmation link and replaces the current one once it is followed.
    """
    user = user_or_404(id)
    if user.id != g.current_user.id:
        abort(403, "You can only change your own account.")
    check_unique(data, user)
    new_email = (data.pop("email", None) or "").strip().lower()
    user.from_dict(data, new_user=False)
    commit_unique()
    if new_email and new_email != user.email:
        confirmation.request_email_change(user, new_email)
    return dump(user, include=("email",))


class AvatarUpload(schemas.StrictSchema):
    """A picture file, sent as multipart/form-data."""

    file = schemas.File(
        required=True,
        metadata={"description": "A JPEG, PNG, WebP or GIF image; it is cropped to a square and its metadata removed."},
    )


def own_user_or_403(id: int) -> User:
    """Return the user with this id if it is the caller, 403 if it is someone else, or 404."""
    user = user_or_404(id)
    if user.id != g.current_user.id:
        abort(403, "You can only change your own account.")
    return user


@bp.route(f"/users/{ID}/avatar", methods=["PUT"], errors=(403, 404, 413))
@accepts_uploads
@bp.arguments(AvatarUpload, location="files")
@bp.response(200, schemas.User)
def set_avatar(files: dict, id: int):
    """Upload your own picture, shown instead of the generated one (`_links.avatar` is its URL).

    The bytes decide: a file that is not a JPEG, PNG, WebP or GIF image is refused with 400, one
    over the size or pixel limit with 413. The picture is cropped to its middle square and stored
    without its metadata (EXIF, GPS included).
    """
    user = own_user_or_403(id)
    avatars.set_picture(user, files["file"].read())  # a MediaError answers 400 or 413 (app.api.errors)
    db.session.commit()
    return dump(user, include=("email",))


@bp.route(f"/users/{ID}/avatar", methods=["DELETE"], errors=(403, 404))
@bp.response(204)
def delete_avatar(id: int):
    """Remove your own uploaded picture: the account shows its generated one again (no error if none)."""
    user = own_user_or_403(id)
    if avatars.remove_picture(user):
        db.session.commit()
    return "", 204
