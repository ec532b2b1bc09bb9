"""Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238) and one-time recovery codes.

The blueprints call these functions: the settings pages turn it on and off, the sign-in page and
`POST /api/tokens` check a code. The secret is made here and kept on the user row; the QR code is
drawn by the app itself (segno), so the secret never leaves for another host.
"""

import hashlib
import hmac
import secrets

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
    code = _digits(code)
    return len(code) == 6 and pyotp.TOTP(secret).verify(code, valid_window=1)


def enable(user: User, secret: str, code: str) -> list[str] | None:
    """Turn two-factor sign-in on if `code` verifies; return the ten recovery codes (shown once), else None.

    The caller commits.
    """
    if not verifies(secret, code):
        return None
    user.totp_secret = secret
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

    A used recovery code is deleted; the caller commits.
    """
    if user.totp_secret is None:
        return True
    if verifies(user.totp_secret, code):
        return True
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
