"""Confirmed accounts: the emailed link that proves an address is the person's, and what it unlocks.

Registration and a change of address send a signed, expiring link naming the account and the
address. Confirming the account's own address confirms the account; confirming its pending address
makes that the account's address. While REQUIRE_EMAIL_CONFIRMATION is on, an unconfirmed account
sees only the page that asks for the link and gets no API token. Addresses listed in ADMINS become
Administrators once they are confirmed (at registration when confirmation is off).
"""

import enum
import time

import jwt
import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import _, force_locale
from sqlalchemy.exc import IntegrityError

from app.email import send_email
from app.extensions import db
from app.models import Role, User
from app.validators import is_valid_id

__all__ = [
    "Outcome",
    "address_in_use",
    "confirm",
    "make_token",
    "needs_confirmation",
    "read_token",
    "registered",
    "request_email_change",
    "required",
    "send_confirmation",
]

# The claim that tells a confirmation token from the other tokens signed with the same key.
PURPOSE = "confirm_email"


class Outcome(enum.Enum):
    """What following a confirmation link did."""

    CONFIRMED = "confirmed"
    EMAIL_CHANGED = "email_changed"
    ALREADY_CONFIRMED = "already_confirmed"
    ADDRESS_TAKEN = "address_taken"


def required() -> bool:
    """Return whether new accounts must confirm their address before using the site and the API."""
    return bool(current_app.config["REQUIRE_EMAIL_CONFIRMATION"])


def needs_confirmation(user: User) -> bool:
    """Return whether `user` is held back until they confirm their address (no query)."""
    return required() and not user.confirmed


def make_token(user: User, address: str) -> str:
    """Return a signed token, valid for CONFIRMATION_LINK_HOURS, that confirms `address` for `user`."""
    expires = int(time.time()) + current_app.config["CONFIRMATION_LINK_HOURS"] * 3600
    payload = {"purpose": PURPOSE, "user": user.id, "email": address, "exp": expires}
    return jwt.encode(payload, current_app.config["SECRET_KEY"], algorithm="HS256")


def read_token(token: str) -> tuple[User, str] | None:
    """Return the user and the address a token confirms, or None for a bad, expired, foreign or stale one.

    A token is stale once its address is neither the account's address nor its pending one.
    """
    try:
        payload = jwt.decode(token, current_app.config["SECRET_KEY"], algorithms=["HS256"])
        if payload["purpose"] != PURPOSE:
            return None
        user_id, address = int(payload["user"]), str(payload["email"])
    except (jwt.InvalidTokenError, KeyError, TypeError, ValueError):
        return None
    user = db.session.get(User, user_id) if is_valid_id(user_id) else None
    if user is None or address not in (user.email, user.pending_email):
        return None
    return user, address


def send_confirmation(user: User, address: str | None = None) -> None:
    """Email `address` (the account's own by default) a link that confirms it, in the user's language."""
    address = address or user.email
    token = make_token(user, address)
    with force_locale(user.locale or current_app.config["LANGUAGES"][0]):
        send_email(
            _("[Microblog] Confirm your email address"),
            sender=None,
            recipients=[address],
            text_body=render_template("email/confirm_email.txt", user=user, token=token, address=address),
            html_body=render_template("email/confirm_email.html", user=user, token=token, address=address),
        )


def _promote_if_admin(user: User) -> None:
    admins = {address.strip().lower() for address in current_app.config["ADMINS"]}
    if user.email in admins:
        user.role = Role.ADMINISTRATOR


def registered(user: User) -> None:
    """Email a new (committed) account its confirmation link; with confirmation off, promote it at once."""
    if required():
        send_confirmation(user)
    else:
        _promote_if_admin(user)
        db.session.commit()


def confirm(user: User, address: str) -> Outcome:
    """Confirm `address` for `user` (from `read_token`) and commit."""
    if address == user.email:
        if user.confirmed:
            return Outcome.ALREADY_CONFIRMED
        user.confirmed = True
        _promote_if_admin(user)
        db.session.commit()
        return Outcome.CONFIRMED
    user.email = address
    user.pending_email = None
    user.confirmed = True
    _promote_if_admin(user)
    try:
        db.session.commit()
    except IntegrityError:
        # Another account took the address after the link was sent.
        db.session.rollback()
        return Outcome.ADDRESS_TAKEN
    return Outcome.EMAIL_CHANGED


def address_in_use(address: str) -> bool:
    """Return whether an account already has `address` (any case)."""
    address = address.strip().lower()
    return db.session.scalar(sa.select(User.id).where(User.email == address)) is not None


def request_email_change(user: User, address: str) -> None:
    """Keep `address` as the account's pending address and email it a confirmation link."""
    user.pending_email = address.strip().lower()
    db.session.commit()
    send_confirmation(user, user.pending_email)
