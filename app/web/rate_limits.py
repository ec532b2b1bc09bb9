"""The rate limits that protect sign-in, registration, resets, tokens and the API.

Limits come from the configuration (RATELIMIT_AUTH, RATELIMIT_API) and are counted per client
address and, for the sensitive forms, per account name too, so guessing one password from many
addresses is slowed down as well.
"""

import logging
from collections.abc import Callable

from flask import current_app, request, session
from limits import parse

from app.extensions import limiter

log = logging.getLogger(__name__)


def auth_limit() -> str:
    """Return the limit for sign-in, registration, password resets and tokens."""
    return current_app.config["RATELIMIT_AUTH"]


def api_limit() -> str:
    """Return the limit shared by every request made with one API token."""
    return current_app.config["RATELIMIT_API"]


def confirmation_limit() -> str:
    """Return how many confirmation emails one account may ask for (RATELIMIT_CONFIRMATION)."""
    return current_app.config["RATELIMIT_CONFIRMATION"]


def take_confirmation_email(account_id: int) -> bool:
    """Count one confirmation email for an account; return False once RATELIMIT_CONFIRMATION is used up.

    Counted by the view itself (not a decorator's 429), so the page can say so in a flash message.
    """
    if not current_app.config["RATELIMIT_ENABLED"]:
        return True
    try:
        return limiter.limiter.hit(parse(confirmation_limit()), "confirmation-email", str(account_id))
    except Exception:  # the limit's storage (Redis) is down: an email is better than an error page
        log.warning("could not count a confirmation email", exc_info=True)
        return True


def account_name(name: str | None) -> str:
    """Return the account name a limit is counted for: trimmed, lower case, bounded."""
    return (name or "").strip().lower()[:120]


def form_account_key(field: str) -> Callable[[], str]:
    """Return a key function that counts a form's submissions per account named in `field`."""

    def key() -> str:
        return f"{request.endpoint}:{account_name(request.form.get(field))}"

    return key


def limit_per_session(key: str) -> Callable:
    """Limit a form's POSTs per client address and per the sign-in waiting in session entry `key`.

    The two-factor step counts its guesses for the account being signed in, as the password
    form does for the account it names.
    """

    def account() -> str:
        pending = session.get(key) or {}
        return f"{request.endpoint}:{pending.get('user', '')}"

    def decorate(view: Callable) -> Callable:
        view = limiter.limit(auth_limit, methods=["POST"], key_func=account)(view)
        return limiter.limit(auth_limit, methods=["POST"])(view)

    return decorate


def limit_per_account(field: str) -> Callable:
    """Limit a form's POSTs per client address and per the account named in form field `field`."""

    def decorate(view: Callable) -> Callable:
        view = limiter.limit(auth_limit, methods=["POST"], key_func=form_account_key(field))(view)
        return limiter.limit(auth_limit, methods=["POST"])(view)

    return decorate
