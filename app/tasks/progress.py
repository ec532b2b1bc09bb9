"""What a running task knows about itself: its Task id, and how it reports progress or failure."""

import contextvars
import logging

from rq import get_current_job

from app.extensions import db
from app.models import Task, utcnow

log = logging.getLogger(__name__)

# Set while a task runs in a thread of the web process; under RQ the current job says it.
_current_task_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("task_id", default=None)


def current_task_id() -> str | None:
    """Return the id of the task running in this thread or RQ job."""
    task_id = _current_task_id.get()
    if task_id is not None:
        return task_id
    job = get_current_job()
    return job.id if job is not None else None


def run_as(task_id: str, function, *args, **kwargs):
    """Call `function` as the task `task_id` (the in-process runner's way of naming the running task)."""
    token = _current_task_id.set(task_id)
    try:
        return function(*args, **kwargs)
    finally:
        _current_task_id.reset(token)


def set_task_progress(task_id: str, progress: int) -> None:
    """Record progress on the Task row and notify its user."""
    task = db.session.get(Task, task_id)
    if task is None:
        return
    task.progress = progress
    task.updated_at = utcnow()
    if progress >= 100:
        task.complete = True
    task.user.add_notification("task_progress", {"task_id": task_id, "progress": progress})
    db.session.commit()


def fail_task(task_id: str, message: str) -> None:
    """Mark the task failed with `message` and tell its user."""
    db.session.rollback()
    task = db.session.get(Task, task_id)
    if task is None:
        return
    task.failed = True
    task.error = message[:255]
    task.updated_at = utcnow()
    task.user.add_notification("task_progress", {"task_id": task_id, "progress": task.progress, "failed": True})
    db.session.commit()
