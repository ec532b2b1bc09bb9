"""Images: upload one (multipart, as Mastodon's API takes them), then attach it with `media_ids` on a post."""

from flask import g

from app import media
from app.api import schemas
from app.api.blueprint import bp
from app.api.parser import MULTIPART
from app.api.representation import dump
from app.extensions import db
from app.web.uploads import accepts_uploads


@accepts_uploads
@bp.route("/media", methods=["POST"], errors=(413, 415))
@bp.arguments(schemas.MediaCreate, location=MULTIPART)
@bp.response(201, schemas.Media)
def upload_media(data: dict):
    """Upload an image with its alt text (`description`); attach it by id with `media_ids` on `POST /api/posts`.

    Only the bytes count: they must be a JPEG, PNG, WebP or GIF (its first frame) of at most
    `MAX_IMAGE_BYTES` and `MAX_IMAGE_PIXELS` (else 413). The image is stored re-encoded, without
    its metadata (EXIF and GPS included), with a preview. An image not attached within a day is removed.
    """
    # A byte past the limit is enough to know the file is too large.
    image = data["file"].stream.read(media.service().max_bytes + 1)
    row = media.store(g.current_user, image, data["description"])  # a MediaError answers 400 or 413 (app.api.errors)
    db.session.commit()
    return dump(row)
