"""Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238) and one-time recovery codes.

The blueprints call these functions: the settings pages turn it on and off, the sign-in page and
`POST /api/tokens` check a code. The secret is made here and kept on the user row; the QR code is
drawn by the app itself (segno), so the secret never leaves for another host.
"""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

import pyotp
import segno
import sqlalchemy as sa
from markupsafe import Markup

from app.extensions import db
from app.models import RecoveryCode, User

ISSUER = "Microblog"
RECOVERY_CODES = 10

__all__ = ["check_code", "disable", "enable", "new_secret", "qr_code_svg", "setup_uri", "verifies"]


def new_secret() -> str:
    """A fresh random base32 secret for an authenticator app."""
    return pyotp.random_base32()


def setup_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_code_svg(uri: str) -> Markup:
    """The QR code of `uri` as inline SVG (segno escapes nothing into it but the path data)."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff", omitsize=False)
    return Markup(svg)


def verifies(secret: str, code: str) -> bool:
    """Whether `code` is the current code of `secret` (or the one just before or after)."""
    return _matching_step(secret, code) is not None


def _matching_step(secret: str, code: str) -> int | None:
    """The time step (current, previous or next) whose code `code` is, or None."""
    code = _digits(code)
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(datetime.now(UTC))
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _use_step(user: User, step: int) -> bool:
    """Record `step` as used by `user`, unless it (or a later one) already was.

    One conditional UPDATE, so two requests racing with the same code cannot both pass.
    """
    used = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        return False
    user.totp_last_step = step
    return True


def enable(user: User, secret: str, code: str) -> list[str] | None:
    """Turn two-factor sign-in on if `code` verifies; return the ten recovery codes (shown once), else None.

    The caller commits.
    """
    step = _matching_step(secret, code)
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_last_step = step
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    return codes


def disable(user: User) -> None:
    """Turn two-factor sign-in off and forget the recovery codes; the caller commits."""
    user.totp_secret = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def check_code(user: User, code: str) -> bool:
    """Whether `code` signs `user` in: their current TOTP code, or an unused recovery code (then used up).

    A TOTP code is accepted once: the same code (or an older one) is refused afterwards, even
    within its 90 seconds. A used recovery code is deleted; the caller commits.
    """
    if user.totp_secret is None:
        return True
    step = _matching_step(user.totp_secret, code)
    if step is not None:
        return _use_step(user, step)
    hashed = _hash(code.strip().lower())
    for recovery in db.session.scalars(sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        if hmac.compare_digest(recovery.code_hash, hashed):
            db.session.delete(recovery)
            return True
    return False


def _digits(code: str) -> str:
    return "".join(code.split())


def _hash(code: str) -> str:
    # Recovery codes are 64 random bits: a plain SHA-256 is enough (no dictionary to guess from).
    return hashlib.sha256(code.encode()).hexdigest()
