"""Run background tasks on RQ when REDIS_URL is set, else in a thread of this process."""

import contextvars
import logging
import threading
import uuid
from typing import TYPE_CHECKING, Any, Optional

from flask import current_app

from app.extensions import db

if TYPE_CHECKING:
    from app.models import Task, User

QUEUE_NAME = "microblog-tasks"
# Generous enough for an export of 100,000 posts on a slow machine.
JOB_TIMEOUT = 30 * 60
RESULT_TTL = 24 * 60 * 60

log = logging.getLogger(__name__)
_current_task_id: contextvars.ContextVar[Optional[str]] = contextvars.ContextVar("task_id", default=None)


class JobsUnavailable(RuntimeError):
    """The job queue cannot be reached right now."""


def redis_connection():
    """Return a Redis client for REDIS_URL, or None when jobs run in-process."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def launch(user: "User", name: str, description: str, *args: Any, **kwargs: Any) -> "Task":
    """Commit a Task row for `user`, then start `app.tasks.<name>(*args, **kwargs)`."""
    from app.models import Task

    task = Task(id=str(uuid.uuid4()), name=name, description=description, user=user)
    db.session.add(task)
    db.session.commit()
    try:
        connection = redis_connection()
        if connection is None:
            _start_thread(task.id, name, args, kwargs)
        else:
            _enqueue_rq(connection, task.id, name, args, kwargs)
    except Exception as exc:
        log.exception("could not start task %s (%s)", task.id, name)
        task.failed = True
        task.error = "The job queue is unavailable."
        db.session.commit()
        raise JobsUnavailable(str(exc)) from exc
    return task


def _enqueue_rq(connection, task_id: str, name: str, args: tuple, kwargs: dict) -> None:
    from rq import Queue

    queue = Queue(QUEUE_NAME, connection=connection)
    queue.enqueue(f"app.tasks.{name}", *args, job_id=task_id, job_timeout=JOB_TIMEOUT, result_ttl=RESULT_TTL, **kwargs)


def _start_thread(task_id: str, name: str, args: tuple, kwargs: dict) -> None:
    app = current_app._get_current_object()
    thread = threading.Thread(
        target=_run_in_thread, args=(app, task_id, name, args, kwargs), name=f"task-{task_id}", daemon=True
    )
    thread.start()


def _run_in_thread(app, task_id: str, name: str, args: tuple, kwargs: dict) -> None:
    from app import tasks

    token = _current_task_id.set(task_id)
    try:
        with app.app_context():
            getattr(tasks, name)(*args, **kwargs)
    finally:
        _current_task_id.reset(token)


def current_task_id() -> Optional[str]:
    """Return the id of the task running in this thread or RQ job."""
    task_id = _current_task_id.get()
    if task_id is not None:
        return task_id
    from rq import get_current_job

    job = get_current_job()
    return job.id if job is not None else None


def fetch_rq_job(task_id: str):
    """Return the RQ job with this id, or None without Redis or when it is gone."""
    try:
        connection = redis_connection()
        if connection is None:
            return None
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        try:
            return Job.fetch(task_id, connection=connection)
        except NoSuchJobError:
            return None
    except Exception:
        log.warning("could not reach Redis to fetch job %s", task_id, exc_info=True)
        return None


def jobs_available() -> bool:
    """Return whether a new task could be started now."""
    try:
        connection = redis_connection()
        return connection is None or bool(connection.ping())
    except Exception:
        return False
