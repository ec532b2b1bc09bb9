"""Serve an image's original or preview, with a long cache lifetime, and nothing of a hidden account."""

import re

import sqlalchemy as sa
from flask import Blueprint, Response, abort, redirect, send_file

from app import media
from app.extensions import db
from app.media.storage import LocalStorage
from app.models import Media, User
from app.models.media import extension_of, file_name

bp = Blueprint("media_files", __name__)

# A key as app.models.media.new_key makes it.
KEY = re.compile(r"[A-Za-z0-9_-]{16,32}")
CACHE_CONTROL = "public, max-age=31536000, immutable"


@bp.route("/media/<key>/<any(original, preview):variant>")
def file(key: str, variant: str):
    """Send one variant of an image; 404 for an unknown key or an image of a suspended account."""
    if not KEY.fullmatch(key):
        abort(404)
    found = db.session.execute(
        sa.select(Media.key, Media.content_type)
        .join(User, User.id == Media.user_id)
        .where(Media.key == key, User.suspended_at.is_(None))
    ).first()
    if found is None:
        abort(404)
    name = file_name(found.key, variant, extension_of(found.content_type))
    service = media.service()
    storage = service.storage
    public_url = storage.public_url(name)
    if public_url is not None:
        return redirect(public_url, 302)
    if service.accel_prefix:
        response = Response(content_type=found.content_type)
        response.headers["X-Accel-Redirect"] = service.accel_prefix.rstrip("/") + "/" + name
    elif isinstance(storage, LocalStorage):
        path = storage.path(name)
        if not path.is_file():
            abort(404)
        response = send_file(path, mimetype=found.content_type, conditional=True, etag=True)
    else:
        try:
            data = storage.read(name)
        except FileNotFoundError:
            abort(404)
        response = Response(data, content_type=found.content_type)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
