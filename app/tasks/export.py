"""The export task: email a user every post they wrote, as posts.json."""

import io
import json
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import _, force_locale

from app.email import send_email
from app.extensions import db
from app.models import Post, User
from app.tasks.progress import current_task_id, set_task_progress
from app.tasks.registry import task

if TYPE_CHECKING:
    from app.models import Task

PROGRESS_STEPS = 20
STREAM_BATCH = 1000


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


def _posts_in_batches(user_id: int):
    """Yield the user's posts oldest first, a batch at a time (keyset pagination, no open cursor)."""
    after = None
    while True:
        query = (
            sa.select(Post.body, Post.timestamp, Post.id)
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


@task(failure_message="The export failed.")
def export_posts(user_id: int) -> None:
    """Email a user every post they wrote, as posts.json, oldest first."""
    task_id = current_task_id()
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    # Counted exactly here: rows bulk-loaded around the ORM would not be in the post counter.
    total = db.session.scalar(sa.select(sa.func.count()).where(*_written_by(user_id)))
    if task_id:
        set_task_progress(task_id, 0)
    # The document is written straight into one buffer: no per-post strings kept around.
    document = io.BytesIO()
    document.write(b'{"posts": [')
    written = reported = 0
    for batch in _posts_in_batches(user_id):
        for body, timestamp, _id in batch:
            if written:
                document.write(b", ")
            entry = {"body": body, "timestamp": timestamp.isoformat()}
            document.write(json.dumps(entry, ensure_ascii=False).encode("utf-8"))
            written += 1
        percent = written * 100 // total if total else 100
        if task_id and percent - reported >= 100 // PROGRESS_STEPS and percent < 100:
            reported = percent
            set_task_progress(task_id, percent)
    document.write(b"]}")
    with force_locale(user.locale or current_app.config["LANGUAGES"][0]):
        send_email(
            _("[Microblog] Your blog posts"),
            sender=None,
            recipients=[user.email],
            text_body=render_template("email/export_posts.txt", user=user),
            html_body=render_template("email/export_posts.html", user=user),
            attachments=[("posts.json", "application/json", document.getvalue())],
            sync=True,
        )
    if task_id:
        set_task_progress(task_id, 100)
