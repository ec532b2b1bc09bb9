"""The media service: store uploads, attach them to posts, delete and prune their files.

Files follow the transaction of their rows: the files of an image stored in a transaction that
rolls back are removed; the files of deleted rows are removed once the deletion commits (a
rollback keeps them, with their rows). Both are collected on the session and acted on by its
`after_commit` / `after_soft_rollback` events.
"""

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import flask
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, Response, abort, current_app, redirect, url_for
from flask_babel import lazy_gettext as _l
from PIL import Image

from app.extensions import db
from app.media import processing
from app.media.processing import MediaError
from app.media.storage import LocalStorage, S3Storage, Storage
from app.models import Media, Post, User, utcnow
from app.models.media import MAX_ALT_LENGTH, MAX_PER_POST, VARIANTS, extension_of, file_name, new_key

CHUNK = 500
# Stored files never change (a new image gets a new key): browsers may keep them for a year.
CACHE_CONTROL = "public, max-age=31536000, immutable"
log = logging.getLogger(__name__)
# session.info keys: files written in the transaction, and files of rows it deleted.
_WRITTEN = "media_written"
_DOOMED = "media_doomed"


class InvalidAltText(MediaError):
    """The alt text is missing or too long."""

    message = _l("Describe the image in 1 to %(count)d characters.", count=MAX_ALT_LENGTH)


class CannotAttach(MediaError):
    """The images are not the poster's own unattached ones, or too many."""

    message = _l("These images cannot be attached to this post.")


class MediaService:
    """The configured storage and limits (one per app, in `app.extensions["media"]`)."""

    def __init__(self, storage: Storage, max_bytes: int, max_pixels: int, preview_size: int, accel_prefix: str | None):
        self.storage = storage
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self.preview_size = preview_size
        self.accel_prefix = accel_prefix


def create_storage(app: Flask) -> Storage:
    """Return the storage the config asks for: S3 when S3_BUCKET is set, else the local UPLOAD_DIR."""
    config = app.config
    if config.get("S3_BUCKET"):
        return S3Storage(
            config["S3_BUCKET"],
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            region=config.get("S3_REGION"),
            access_key_id=config.get("S3_ACCESS_KEY_ID"),
            secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
            public_url=config.get("S3_PUBLIC_URL"),
            prefix=config.get("S3_PREFIX") or "",
        )
    root = config.get("UPLOAD_DIR") or Path(app.instance_path) / "uploads"
    return LocalStorage(Path(app.root_path).parent / root)


def init_app(app: Flask) -> None:
    """Give the app its media service and the `media_url` template function; commits and rollbacks carry the files."""
    max_pixels = app.config.get("MAX_IMAGE_PIXELS", 40_000_000)
    # Pillow's own bomb guard (a warning past the limit, an error past twice it) agrees with ours.
    Image.MAX_IMAGE_PIXELS = max_pixels
    app.extensions["media"] = MediaService(
        create_storage(app),
        max_bytes=app.config.get("MAX_IMAGE_BYTES", 8 * 1024 * 1024),
        max_pixels=max_pixels,
        preview_size=app.config.get("MEDIA_PREVIEW_SIZE", 1024),
        accel_prefix=app.config.get("MEDIA_ACCEL_REDIRECT"),
    )
    app.jinja_env.globals["media_url"] = url  # the post cards' previews and their links
    if not sa.event.contains(db.session, "after_commit", _after_commit):
        sa.event.listen(db.session, "after_commit", _after_commit)
        sa.event.listen(db.session, "after_soft_rollback", _after_soft_rollback)


def service() -> MediaService:
    return current_app.extensions["media"]


def storage() -> Storage:
    """Return the current app's storage."""
    return service().storage


def image_hosts() -> tuple[str, ...]:
    """Return the hosts other than the site's own that pages load images from: a public bucket's origin."""
    origin = storage().public_origin()
    return (origin,) if origin else ()


def store(owner: User, file_bytes: bytes, alt: str) -> Media:
    """Check, re-encode and save an uploaded image for `owner`, unattached; the caller commits.

    Raises NotAnImage (400), ImageTooLarge (413) or InvalidAltText (400). The files are written
    before the row is added; if the transaction rolls back, they are removed.
    """
    alt = (alt or "").strip()
    if not alt or len(alt) > MAX_ALT_LENGTH:
        raise InvalidAltText
    media = service()
    image = processing.process(file_bytes, media.max_bytes, media.max_pixels, media.preview_size)
    row = Media(
        user_id=owner.id,
        alt_text=alt,
        content_type=image.content_type,
        width=image.width,
        height=image.height,
        size=len(image.original),
        preview_size=len(image.preview),
    )
    row.key = new_key()
    session = db.session()
    names: list[str] = []
    try:
        for variant, data in (("original", image.original), ("preview", image.preview)):
            names.append(row.file_name(variant))
            media.storage.save(names[-1], data, image.content_type)
        session.add(row)
        session.flush()
    except Exception:
        _discard(media.storage, names)
        raise
    # From now on the transaction decides: a rollback removes them (`_after_soft_rollback`).
    session.info.setdefault(_WRITTEN, []).append((media.storage, names))
    return row


def save_files(files: Iterable[tuple[str, bytes]], content_type: str) -> list[str]:
    """Write these (name, bytes) files to the storage, tied to the current transaction; return their names.

    For files that belong to something other than a Media row (a profile picture, app.avatars):
    a rollback removes them, a commit keeps them. A failed write removes those already written.
    """
    where = storage()
    names: list[str] = []
    try:
        for name, data in files:
            where.save(name, data, content_type)
            names.append(name)
    except Exception:
        _discard(where, names)
        raise
    db.session().info.setdefault(_WRITTEN, []).append((where, names))
    return names


def delete_files_after_commit(names: Iterable[str]) -> None:
    """Remove these stored files once the current transaction commits (a rollback keeps them)."""
    names = list(names)
    if names:
        db.session().info.setdefault(_DOOMED, []).append((storage(), names))


def attach(media_ids: list[int], post: Post, owner: User) -> list[Media]:
    """Attach `owner`'s unattached images to `post`, in the order given; the caller commits.

    Raises CannotAttach for more than 4, a repeated id, an unknown one, someone else's, or one
    already attached.
    """
    if not media_ids:
        return []
    if len(media_ids) > MAX_PER_POST:
        raise CannotAttach(_l("A post carries at most %(count)d images.", count=MAX_PER_POST))
    if len(set(media_ids)) != len(media_ids):
        raise CannotAttach
    found = {row.id: row for row in db.session.scalars(sa.select(Media).where(Media.id.in_(media_ids)))}
    rows = [found.get(media_id) for media_id in media_ids]
    if any(row is None or row.user_id != owner.id or row.post_id is not None for row in rows):
        raise CannotAttach
    if post.id is None:
        db.session.flush()
    for position, row in enumerate(rows):
        row.post_id = post.id
        row.position = position
    post.media_count = len(rows)
    return rows


def for_posts(post_ids: Iterable[int]) -> dict[int, list[Media]]:
    """Return the images of these posts, in order, by post id (one query a chunk of posts)."""
    found: dict[int, list[Media]] = {}
    for ids in _chunks(list(post_ids)):
        query = sa.select(Media).where(Media.post_id.in_(ids)).order_by(Media.post_id, Media.position)
        for row in db.session.scalars(query):
            found.setdefault(row.post_id, []).append(row)
    return found


def images_of(posts: Iterable) -> dict[int, list[Media]]:
    """Return the images of those posts (anything with `id` and `media_count`) that carry any, by post id.

    Posts whose counter says they carry none are not asked for: a page without images costs no query.
    """
    return for_posts([post.id for post in posts if post.media_count])


def url(media: Media, variant: str = "preview", external: bool = False) -> str:
    """Return the URL that serves a variant ("original" or "preview") of an image."""
    return url_for("media_files.file", key=media.key, variant=variant, _external=external)


def send_stored(name: str, content_type: str) -> Response:
    """Answer with the stored file `name`, a year's cache and nosniff; 404 when it is missing.

    A bucket with a public URL is redirected to; behind nginx (MEDIA_ACCEL_REDIRECT) nginx sends
    the file; otherwise the app does.
    """
    media = service()
    where = media.storage
    public_url = where.public_url(name)
    if public_url is not None:
        return redirect(public_url, 302)
    if media.accel_prefix:
        response = Response(content_type=content_type)
        response.headers["X-Accel-Redirect"] = media.accel_prefix.rstrip("/") + "/" + name
    elif isinstance(where, LocalStorage):
        path = where.path(name)
        if not path.is_file():
            abort(404)
        response = flask.send_file(path, mimetype=content_type, conditional=True, etag=True)
    else:
        try:
            data = where.read(name)
        except FileNotFoundError:
            abort(404)
        response = Response(data, content_type=content_type)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def delete_for_posts(post_ids: Iterable[int]) -> int:
    """Delete the images of these posts (rows now, files once the transaction commits); return how many."""
    count = 0
    for ids in _chunks(list(post_ids)):
        count += _delete_where(Media.post_id.in_(ids))
    return count


def delete_for_user(user_id: int) -> int:
    """Delete every image `user_id` uploaded, attached or not (rows now, files after commit); return how many."""
    return _delete_where(Media.user_id == user_id)


@dataclass
class PruneReport:
    """What `prune` removed: unattached images (their keys) and files that had no row (their names)."""

    unattached: list[str] = field(default_factory=list)
    orphan_files: list[str] = field(default_factory=list)


def prune(older_than: timedelta = timedelta(days=1)) -> PruneReport:
    """Remove images never attached and stored files without a row, both older than `older_than`; commits.

    Only old files count as orphans: a file younger than that may belong to an upload whose
    transaction has not committed yet. A profile picture's files (`User.avatar_key`) are no orphans.
    """
    cutoff = utcnow() - older_than
    report = PruneReport()
    stale = sa.and_(Media.post_id.is_(None), Media.created_at < cutoff)
    report.unattached = list(db.session.scalars(sa.select(Media.key).where(stale)))
    _delete_where(stale)
    db.session.commit()
    keys_of: dict[str, list[str]] = {}
    for name, modified in storage().list():
        key = _key_of(name)
        if key is not None and modified < cutoff:
            keys_of.setdefault(key, []).append(name)
    for keys in _chunks(list(keys_of)):
        known = _live_keys(keys)
        orphans = [name for key in keys if key not in known for name in keys_of[key]]
        storage().delete(orphans)
        report.orphan_files.extend(orphans)
    return report


def _live_keys(keys: list[str]) -> set[str]:
    """Return those of `keys` whose files are in use: an image's (a Media row), or a profile picture's."""
    known = set(db.session.scalars(sa.select(Media.key).where(Media.key.in_(keys))))
    known.update(db.session.scalars(sa.select(User.avatar_key).where(User.avatar_key.in_(keys))))
    return known


def _key_of(name: str) -> str | None:
    """Return the key of a stored image file's name, or None for a file that is not one."""
    stem, _, extension = name.rpartition(".")
    key, _, variant = stem.rpartition("-")
    if variant in VARIANTS and key and file_name(key, variant, extension) == name:
        return key
    return None


def _delete_where(condition: sa.ColumnElement[bool]) -> int:
    rows = db.session.execute(sa.select(Media.key, Media.content_type).where(condition)).all()
    if not rows:
        return 0
    names = [file_name(key, variant, extension_of(content_type)) for key, content_type in rows for variant in VARIANTS]
    session = db.session()
    session.info.setdefault(_DOOMED, []).append((storage(), names))
    session.execute(sa.delete(Media).where(condition).execution_options(synchronize_session=False))
    return len(rows)


def _discard(where: Storage, names: list[str]) -> None:
    """Remove files whose row will never be; a failure leaves orphans for `flask media prune`."""
    try:
        where.delete(names)
    except Exception:  # noqa: BLE001 - the caller's own error is the one to report
        log.exception("could not remove the media files %s", ", ".join(names))


def _remove_written(session: so.Session) -> None:
    for where, names in session.info.pop(_WRITTEN, []):
        _discard(where, names)


def _after_commit(session: so.Session) -> None:
    session.info.pop(_WRITTEN, None)
    for where, names in session.info.pop(_DOOMED, []):
        _discard(where, names)  # the rows are gone: `flask media prune` retries what is left


def _after_soft_rollback(session: so.Session, previous_transaction: so.SessionTransaction) -> None:
    if previous_transaction.parent is not None:
        return  # a savepoint: the outer transaction decides
    session.info.pop(_DOOMED, None)
    _remove_written(session)


def _chunks(ids: list) -> Iterator[list]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
