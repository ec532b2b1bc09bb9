"""The avatars blueprint: `/avatar/<id>/<fingerprint>.svg`, each account's identicon.

The picture follows from the id alone, so a request reads no database row and no signed-in
user: the answer is the same for everyone, and browsers keep it for a year
(a new drawing comes with a new fingerprint, hence a new URL). Any id gets a picture, so the
answer says nothing about which accounts exist.
"""

from flask import Blueprint, Response, g, redirect, request, url_for

from app.avatars import identicon
from app.extensions import login

bp = Blueprint("avatars", __name__)

ONE_YEAR = 365 * 24 * 3600


@bp.url_value_preprocessor
def anonymous_pictures(endpoint: str | None, values: dict | None) -> None:
    """Serve pictures to nobody in particular, before any other hook runs.

    URL value preprocessors run before every `before_request` hook: with no signed-in user, none of
    them (language, last_seen, confirmation) loads one from the session, so the answer runs no query.
    """
    g._login_user = login.anonymous_user()


@bp.route("/avatar/<int:user_id>/<fingerprint>.svg")
def identicon_svg(user_id: int, fingerprint: str) -> Response:
    """Answer the identicon of account `user_id` at `?s=` pixels, cacheable for a year."""
    size = identicon.clamp_size(request.args.get("s", type=int))
    current = identicon.fingerprint(user_id)
    if fingerprint != current:
        # A URL from an older drawing (or a made-up one): send it to today's picture, briefly cached.
        response = redirect(url_for(".identicon_svg", user_id=user_id, fingerprint=current, s=size))
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response
    response = Response(identicon.svg(user_id, size), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Opened on its own, the picture may load nothing at all (it needs nothing).
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    response.set_etag(f"{current}-{size}")
    return response.make_conditional(request)
