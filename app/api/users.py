"""User resources."""

import sqlalchemy as sa
from flask import abort, g, url_for
from sqlalchemy.exc import IntegrityError

from app.api import bp
from app.api.auth import token_auth_required
from app.api.errors import bad_request, error_response
from app.api.request_data import ApiError, json_body, pagination_args
from app.extensions import db
from app.models import User
from app.validators import is_valid_username


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    return error.response


def _user_or_404(id: int) -> User:
    return db.get_or_404(User, id)


def _check_user_fields(data: dict, new_user: bool) -> dict:
    """Return per-field problems with a create/update body."""
    problems = {}
    required = ("username", "email", "password") if new_user else ()
    for field in required:
        if field not in data:
            problems[field] = "This field is required."
    for field, limit in (("username", 64), ("email", 120), ("about_me", 140), ("password", 128)):
        if field in data and not isinstance(data[field], str):
            problems[field] = "Must be a string."
        elif field in data and len(data[field]) > limit:
            problems[field] = f"At most {limit} characters."
    if isinstance(data.get("username"), str) and not is_valid_username(data["username"]):
        problems["username"] = "Use 1-64 letters, digits, underscores, dots and hyphens."
    if isinstance(data.get("email"), str) and "@" not in data["email"]:
        problems["email"] = "Not a valid email address."
    if isinstance(data.get("about_me"), str) and "\x00" in data["about_me"]:
        problems["about_me"] = "Contains characters that are not allowed."
    return problems


def _conflict(data: dict, user_id: int | None = None):
    """Return a 409 when the username or email is taken by another user."""
    if "username" in data:
        other = db.session.scalar(User.by_username(data["username"]))
        if other is not None and other.id != user_id:
            return error_response(409, "Please use a different username.")
    if "email" in data:
        other = db.session.scalar(sa.select(User).where(User.email == data["email"].strip().lower()))
        if other is not None and other.id != user_id:
            return error_response(409, "Please use a different email address.")
    return None


@bp.route("/users/<int:id>", methods=["GET"])
@token_auth_required
def get_user(id: int):
    """Return one user; `email` only on your own record."""
    return _user_or_404(id).to_dict(include_email=(id == g.current_user.id))


@bp.route("/users", methods=["GET"])
@token_auth_required
def get_users():
    """Return a page of users."""
    page, per_page = pagination_args()
    return User.to_collection_dict(sa.select(User).order_by(User.id), page, per_page, "api.get_users")


@bp.route("/users/<int:id>/followers", methods=["GET"])
@token_auth_required
def get_followers(id: int):
    """Return a page of the user's followers."""
    user = _user_or_404(id)
    page, per_page = pagination_args()
    return User.to_collection_dict(
        user.followers.select().order_by(User.id), page, per_page, "api.get_followers", id=id
    )


@bp.route("/users/<int:id>/following", methods=["GET"])
@token_auth_required
def get_following(id: int):
    """Return a page of the users this user follows."""
    user = _user_or_404(id)
    page, per_page = pagination_args()
    return User.to_collection_dict(
        user.following.select().order_by(User.id), page, per_page, "api.get_following", id=id
    )


@bp.route("/users", methods=["POST"])
def create_user():
    """Register a user (no authentication)."""
    data = json_body()
    problems = _check_user_fields(data, new_user=True)
    if problems:
        return bad_request("Some fields are missing or invalid.", problems)
    conflict = _conflict(data)
    if conflict:
        return conflict
    user = User()
    user.from_dict(data, new_user=True)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return error_response(409, "Please use a different username or email address.")
    return user.to_dict(include_email=True), 201, {"Location": url_for("api.get_user", id=user.id)}


@bp.route("/users/<int:id>", methods=["PUT"])
@token_auth_required
def update_user(id: int):
    """Update your own username, email or about-me text."""
    user = _user_or_404(id)
    if user.id != g.current_user.id:
        abort(403)
    data = json_body()
    problems = _check_user_fields(data, new_user=False)
    if problems:
        return bad_request("Some fields are invalid.", problems)
    conflict = _conflict(data, user_id=user.id)
    if conflict:
        return conflict
    user.from_dict(data, new_user=False)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return error_response(409, "Please use a different username or email address.")
    return user.to_dict(include_email=True)
