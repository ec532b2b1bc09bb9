"""Serve an image's original or preview, with a long cache lifetime, and nothing of a hidden account."""

import re

import sqlalchemy as sa
from flask import Blueprint, abort

from app import media
from app.extensions import db
from app.models import Media, User
from app.models.media import extension_of, file_name

bp = Blueprint("media_files", __name__)

# A key as app.models.media.new_key makes it.
KEY = re.compile(r"[A-Za-z0-9_-]{16,32}")


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
    return media.send_stored(file_name(found.key, variant, extension_of(found.content_type)), found.content_type)
