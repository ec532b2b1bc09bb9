"""Background tasks, run by an RQ worker or a thread of the web process.

Importing this module has no side effects: under RQ the worker builds one app
lazily, the first time a task needs it.
"""

import io
import json
import logging
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app, has_app_context, render_template
from flask_babel import force_locale

from app.extensions import db

if TYPE_CHECKING:
    from app.models import Task

log = logging.getLogger(__name__)

PROGRESS_STEPS = 20
STREAM_BATCH = 1000


@cache
def worker_app():
    """Build the app once per worker process (app.worker.AppWorker builds it before forking)."""
    from app import create_app

    return create_app()


@contextmanager
def _app_context():
    if has_app_context():
        yield
    else:
        with worker_app().app_context():
            yield


def start_export(user) -> "Task | None":
    """Start exporting `user`'s posts, or return None when an export is already running.

    The description is in the request's language. Raises JobsUnavailable when no job can start.
    """
    from flask_babel import _

    if user.get_task_in_progress("export_posts") is not None:
        return None
    return user.launch_task("export_posts", _("Exporting posts..."), user.id)


def _set_task_progress(task_id: str, progress: int) -> None:
    """Record progress on the Task row and notify its user."""
    from app.models import Task, utcnow

    task = db.session.get(Task, task_id)
    if task is None:
        return
    task.progress = progress
    task.updated_at = utcnow()
    if progress >= 100:
        task.complete = True
    task.user.add_notification("task_progress", {"task_id": task_id, "progress": progress})
    db.session.commit()


def _fail_task(task_id: str, message: str) -> None:
    from app.models import Task, utcnow

    db.session.rollback()
    task = db.session.get(Task, task_id)
    if task is None:
        return
    task.failed = True
    task.error = message[:255]
    task.updated_at = utcnow()
    task.user.add_notification("task_progress", {"task_id": task_id, "progress": task.progress, "failed": True})
    db.session.commit()


def _posts_in_batches(user_id: int):
    """Yield the user's posts oldest first, a batch at a time (keyset pagination, no open cursor)."""
    from app.models import Post

    after = None
    while True:
        query = (
            sa.select(Post.body, Post.timestamp, Post.id)
            .where(Post.user_id == user_id)
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


def export_posts(user_id: int) -> None:
    """Email a user every post they wrote, as posts.json, oldest first."""
    from app.services.jobs import current_task_id

    with _app_context():
        task_id = current_task_id()
        try:
            _export_posts(task_id, user_id)
        except Exception:
            log.exception("export_posts failed for user %s (task %s)", user_id, task_id)
            if task_id:
                _fail_task(task_id, "The export failed.")
            raise


def _export_posts(task_id: str | None, user_id: int) -> None:
    from app.email import send_email
    from app.models import Post, User

    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    # Counted exactly here: rows bulk-loaded around the ORM would not be in the post counter.
    total = db.session.scalar(sa.select(sa.func.count()).where(Post.user_id == user_id))
    if task_id:
        _set_task_progress(task_id, 0)
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
            _set_task_progress(task_id, percent)
    document.write(b"]}")
    with force_locale(user.locale or current_app.config["LANGUAGES"][0]):
        from flask_babel import _

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
        _set_task_progress(task_id, 100)
