"""HTTP Basic auth for getting a token, Bearer token auth for everything else."""

from functools import wraps

from flask import g, request

from app.api.errors import error_response
from app.extensions import db
from app.models import User


def _basic_user() -> User | None:
    auth = request.authorization
    if auth is None or auth.type != "basic" or not auth.username or auth.password is None:
        return None
    if "\x00" in auth.username:
        return None
    user = db.session.scalar(User.by_username(auth.username))
    if user is None or not user.check_password(auth.password):
        return None
    return user


def _token_user() -> User | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or len(token) > 64 or "\x00" in token:
        return None
    return User.check_token(token.strip())


def basic_auth_required(view):
    """Require a username and password; the user is `g.current_user`."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        user = _basic_user()
        if user is None:
            return error_response(401, "Invalid username or password.", {"WWW-Authenticate": 'Basic realm="api"'})
        g.current_user = user
        return view(*args, **kwargs)

    return wrapper


def token_auth_required(view):
    """Require a valid Bearer token; the user is `g.current_user`."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        user = _token_user()
        if user is None:
            return error_response(401, "A valid bearer token is required.", {"WWW-Authenticate": 'Bearer realm="api"'})
        g.current_user = user
        return view(*args, **kwargs)

    return wrapper
