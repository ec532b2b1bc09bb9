"""The export task: email a user every post they wrote, as posts.json, or as posts.zip with their images.

A user none of whose posts carries an image gets posts.json alone. Otherwise the email carries
posts.zip: posts.json, whose entries each list their images (`media`), and `media/<key>.<ext>`, the
stored original of each. Both are written to temporary files, not kept in memory. A zip larger than
EXPORT_MAX_ATTACHMENT_BYTES is not sent: posts.json goes alone, with a note saying so.
"""

import json
import logging
import shutil
import tempfile
import zipfile
from typing import IO, TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import _, force_locale

from app import media
from app.email import send_email
from app.extensions import db
from app.models import Post, User
from app.tasks.progress import current_task_id, set_task_progress
from app.tasks.registry import task

if TYPE_CHECKING:
    from app.models import Task

PROGRESS_STEPS = 20
STREAM_BATCH = 1000
log = logging.getLogger(__name__)


def start_export(user: User) -> "Task | None":
    """Start exporting `user`'s posts, or return None when an export is already running.

    The description is in the request's language. Raises JobsUnavailable when no job can start.
    """
    if user.get_task_in_progress("export_posts") is not None:
        return None
    return user.launch_task("export_posts", _("Exporting posts..."))


def _written_by(user_id: int) -> tuple:
    """The conditions for the posts a user wrote: their reposts are other people's words."""
    return Post.user_id == user_id, Post.repost_of_id.is_(None)


def _has_media(user_id: int) -> bool:
    """Return whether a post the user wrote carries an image (its counter says so, no join)."""
    query = sa.select(Post.id).where(*_written_by(user_id), Post.media_count > 0).limit(1)
    return db.session.scalar(query) is not None


def _posts_in_batches(user_id: int):
    """Yield the user's posts oldest first, a batch at a time (keyset pagination, no open cursor)."""
    after = None
    while True:
        query = (
            sa.select(Post.body, Post.timestamp, Post.id, Post.media_count)
            .where(*_written_by(user_id))
            .order_by(Post.timestamp.asc(), Post.id.asc())
            .limit(STREAM_BATCH)
        )
        if after is not None:
            query = query.where(sa.tuple_(Post.timestamp, Post.id) > after)
        batch = db.session.execute(query).all()
        if not batch:
            return
        yield batch
        if after == (batch[-1].timestamp, batch[-1].id):
            raise RuntimeError("export pagination did not advance")
        after = (batch[-1].timestamp, batch[-1].id)


class _ImageArchive:
    """posts.zip being written to `file`: the images' originals as they come, posts.json last.

    Once the zip passes `limit` bytes no more files are read: it will not be sent.
    """

    def __init__(self, file: IO[bytes], limit: int):
        self.file = file
        self.limit = limit
        self.zip = zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED)
        self.too_large = False

    def add_images(self, posts: list) -> dict[int, list[dict]]:
        """Store the images of these posts (rows with `id` and `media_count`; one query); return their entries.

        An image whose file is missing from the storage is logged and left out.
        """
        entries: dict[int, list[dict]] = {}
        for post_id, images in media.images_of(posts).items():
            for image in images:
                name = f"media/{image.key}.{image.extension}"
                if not self.too_large:
                    try:
                        data = media.storage().read(image.file_name("original"))
                    except FileNotFoundError:
                        log.warning("export: the file of image %s (post %d) is missing; left out", image.key, post_id)
                        continue
                    # Already compressed images gain nothing from deflate.
                    self.zip.writestr(name, data, compress_type=zipfile.ZIP_STORED)
                    self.too_large = self.file.tell() > self.limit
                entries.setdefault(post_id, []).append(
                    {
                        "file": name,
                        "description": image.alt_text,
                        "content_type": image.content_type,
                        "width": image.width,
                        "height": image.height,
                    }
                )
        return entries

    def finish(self, document: IO[bytes], tail: bytes) -> bool:
        """Add `document` followed by `tail` as posts.json and close the zip; return whether it fits the limit."""
        if not self.too_large:
            size = document.tell() + len(tail)
            document.seek(0)
            # A zip entry past 2 GiB needs the ZIP64 extension, which must be asked for before writing.
            with self.zip.open("posts.json", "w", force_zip64=size >= zipfile.ZIP64_LIMIT) as entry:
                shutil.copyfileobj(document, entry)
                entry.write(tail)
        self.zip.close()
        self.file.seek(0, 2)
        return not self.too_large and self.file.tell() <= self.limit


@task(failure_message="The export failed.")
def export_posts(user_id: int) -> None:
    """Email a user every post they wrote, oldest first: posts.json, or posts.zip with their images."""
    task_id = current_task_id()
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    # Counted exactly here: rows bulk-loaded around the ORM would not be in the post counter.
    total = db.session.scalar(sa.select(sa.func.count()).where(*_written_by(user_id)))
    with_media = _has_media(user_id)
    if task_id:
        set_task_progress(task_id, 0)
    limit = current_app.config["EXPORT_MAX_ATTACHMENT_BYTES"]
    # The document is written straight into a temporary file: no per-post strings kept around.
    with tempfile.TemporaryFile() as document, tempfile.TemporaryFile() as zip_file:
        archive = _ImageArchive(zip_file, limit) if with_media else None
        document.write(b'{"posts": [')
        written = reported = 0
        for batch in _posts_in_batches(user_id):
            images: dict[int, list[dict]] = {}
            if archive is not None:
                images = archive.add_images(batch)
            for body, timestamp, post_id, _media_count in batch:
                if written:
                    document.write(b", ")
                entry = {"body": body, "timestamp": timestamp.isoformat()}
                if archive is not None:
                    entry["media"] = images.get(post_id, [])
                document.write(json.dumps(entry, ensure_ascii=False).encode("utf-8"))
                written += 1
            percent = written * 100 // total if total else 100
            if task_id and percent - reported >= 100 // PROGRESS_STEPS and percent < 100:
                reported = percent
                set_task_progress(task_id, percent)
        document.write(b"]")
        with force_locale(user.locale or current_app.config["LANGUAGES"][0]):
            images_state = None
            if archive is not None:
                images_state = "attached" if archive.finish(document, b"}") else "left_out"
            if images_state == "attached":
                zip_file.seek(0)
                attachment = ("posts.zip", "application/zip", zip_file.read())
            else:
                if images_state == "left_out":
                    note = _("The images were left out: with them the archive was too large to send by email.")
                    document.write(b', "note": ' + json.dumps(note, ensure_ascii=False).encode("utf-8"))
                document.write(b"}")
                document.seek(0)
                attachment = ("posts.json", "application/json", document.read())
            send_email(
                _("[Microblog] Your blog posts"),
                sender=None,
                recipients=[user.email],
                text_body=render_template("email/export_posts.txt", user=user, images=images_state),
                html_body=render_template("email/export_posts.html", user=user, images=images_state),
                attachments=[attachment],
                sync=True,
            )
    if task_id:
        set_task_progress(task_id, 100)
