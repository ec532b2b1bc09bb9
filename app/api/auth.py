"""Who is calling: HTTP Basic credentials to get a token, a Bearer token for everything else.

`app.api.blueprint.ApiBlueprint.route` puts each endpoint behind one of these (and their rate
limits) and documents it.
"""

import hashlib
from collections.abc import Callable

from flask import request
from flask_limiter.util import get_remote_address
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

from app.extensions import db, limiter
from app.models import User
from app.web.rate_limits import account_name, api_limit, auth_limit

# A token is 32 hex characters; anything much longer is not worth a database query.
MAX_TOKEN_LENGTH = 64


def _basic_user() -> User | None:
    try:
        auth = request.authorization
    except ValueError:  # Werkzeug lets malformed base64 through as a ValueError
        return None
    if auth is None or auth.type != "basic" or not auth.username or auth.password is None:
        return None
    if "\x00" in auth.username or len(auth.username) > 64:
        return None
    user = db.session.scalar(User.by_username(auth.username))
    if user is None or not user.check_password(auth.password):
        return None
    return user


def bearer_token() -> str | None:
    """Return the bearer token sent with the request, if it is plausible."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH or not token.isalnum():
        return None
    return token


def token_rate_key() -> str:
    """Key the per-token rate limit by a hash of the token (the client's address without one)."""
    token = bearer_token()
    if token is None:
        return "ip:" + get_remote_address()
    return "token:" + hashlib.sha256(token.encode()).hexdigest()[:32]


def basic_account_key() -> str:
    """Key the per-account limit on token creation by the Basic username (the address without one)."""
    try:
        auth = request.authorization
    except ValueError:
        auth = None
    if auth is None or auth.type != "basic" or not auth.username:
        return "basic-ip:" + get_remote_address()
    return "basic-account:" + account_name(auth.username)


def _unauthorized(scheme: str, message: str, **params: str) -> Unauthorized:
    return Unauthorized(message, www_authenticate=WWWAuthenticate(scheme, {"realm": "api", **params}))


def basic_user_or_401() -> User:
    """Return the user named by the request's HTTP Basic credentials, or raise 401 (403 for a suspended account)."""
    user = _basic_user()
    if user is None:
        raise _unauthorized("basic", "Invalid username or password.")
    if user.is_suspended:
        raise Forbidden("This account is suspended.")
    return user


def token_user_or_401() -> User:
    """Return the owner of the request's valid bearer token, or raise 401."""
    token = bearer_token()
    if token is None:
        raise _unauthorized("bearer", "A bearer token is required.")
    user = User.check_token(token)
    if user is None:
        raise _unauthorized("bearer", "The token is invalid, expired or revoked.", error="invalid_token")
    return user


def basic_limits(view: Callable) -> Callable:
    """Limit a Basic-authenticated view per client address, and its failures per account."""
    # Per account too, so guessing one password from many addresses is slowed down; only failures count.
    view = limiter.limit(auth_limit, key_func=basic_account_key, deduct_when=lambda r: r.status_code == 401)(view)
    return limiter.limit(auth_limit, key_func=get_remote_address)(view)


def token_limits(view: Callable) -> Callable:
    """Limit a token-authenticated view with one budget per token across every such endpoint."""
    return limiter.shared_limit(api_limit, scope="api-token", key_func=token_rate_key)(view)
