"""The avatars blueprint: each account's picture, and the forms that upload or remove one's own.

`/avatar/<id>/<fingerprint>.svg` is an account's identicon and `/avatar/<id>/<key>/<variant>.jpg`
a picture its person uploaded. Both are the same for everyone, so they are answered with no
signed-in user, and browsers keep them for a year (a new drawing or upload comes with a new URL).
Any id gets an identicon, so the answers say nothing about which accounts exist.

`POST /avatar` and `POST /avatar/remove` are the profile editor's picture forms.
"""

from flask import Blueprint, Response, flash, g, redirect, request, url_for
from flask_babel import _
from flask_login import current_user, login_required

from app import media
from app.avatars import identicon, uploads
from app.avatars.forms import PictureForm, RemovePictureForm
from app.avatars.providers import identicon_url
from app.extensions import db, limiter, login
from app.models import User
from app.validators import is_valid_id
from app.web.uploads import accepts_uploads

bp = Blueprint("avatars", __name__)

ONE_YEAR = 365 * 24 * 3600
# The size each stored variant of an uploaded picture is.
VARIANT_SIZES = {"original": uploads.LARGE, "preview": uploads.SMALL}
# Opened on its own, a picture may load nothing at all (it needs nothing).
PICTURE_CSP = "default-src 'none'"


@bp.url_value_preprocessor
def anonymous_pictures(endpoint: str | None, values: dict | None) -> None:
    """Serve pictures to nobody in particular, before any other hook runs.

    URL value preprocessors run before every `before_request` hook: with no signed-in user, none of
    them (language, last_seen, confirmation) loads one from the session, so an identicon runs no query.
    """
    if endpoint in ("avatars.identicon_svg", "avatars.picture"):
        g._login_user = login.anonymous_user()


@bp.route("/avatar/<int:user_id>/<fingerprint>.svg")
def identicon_svg(user_id: int, fingerprint: str) -> Response:
    """Answer the identicon of account `user_id` at `?s=` pixels, cacheable for a year."""
    size = identicon.clamp_size(request.args.get("s", type=int))
    current = identicon.fingerprint(user_id)
    if fingerprint != current:
        # A URL from an older drawing (or a made-up one): send it to today's picture, briefly cached.
        return _briefly_cached(redirect(url_for(".identicon_svg", user_id=user_id, fingerprint=current, s=size)))
    response = Response(identicon.svg(user_id, size), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = PICTURE_CSP
    response.set_etag(f"{current}-{size}")
    return response.make_conditional(request)


@bp.route("/avatar/<int:user_id>/<key>/<any(original, preview):variant>.jpg")
def picture(user_id: int, key: str, variant: str) -> Response:
    """Send a picture account `user_id` uploaded, cacheable for a year.

    A replaced or removed picture redirects to the account's current one, and a suspended or
    unknown account's to its identicon, so a page cached with an old URL shows no broken image.
    """
    user = db.session.get(User, user_id) if is_valid_id(user_id) else None
    size = VARIANT_SIZES[variant]
    if user is None or user.is_suspended:
        return _briefly_cached(redirect(identicon_url(user_id, size)))
    if user.avatar_key != key:
        return _briefly_cached(redirect(user.avatar(size)))
    response = media.send_stored(uploads.file_name(key, variant), uploads.CONTENT_TYPE)
    response.headers["Content-Security-Policy"] = PICTURE_CSP
    return response


@bp.route("/avatar", methods=["POST"])
@login_required
@limiter.limit("30 per hour")
@accepts_uploads
def upload():
    """Make the uploaded file the signed-in person's picture (from the profile editor)."""
    form = PictureForm()
    if form.validate_on_submit():
        try:
            uploads.set_picture(current_user, form.picture.data.read())
        except media.MediaError as error:
            db.session.rollback()
            flash(_("Your picture was not changed: %(reason)s", reason=error.message), "danger")
        else:
            db.session.commit()
            flash(_("Your new picture is saved."), "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(_("Your picture was not changed: %(reason)s", reason=message), "danger")
    return redirect(url_for("main.edit_profile"))


@bp.route("/avatar/remove", methods=["POST"])
@login_required
def remove():
    """Go back to the generated picture (from the profile editor)."""
    if RemovePictureForm().validate_on_submit() and uploads.remove_picture(current_user):
        db.session.commit()
        flash(_("Your picture is removed: your account shows its generated picture again."), "success")
    return redirect(url_for("main.edit_profile"))


def _briefly_cached(response: Response) -> Response:
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
