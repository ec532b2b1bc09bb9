"""Start background tasks on RQ when REDIS_URL is set, else in a thread of this process."""

import logging
import threading
import uuid
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app
from redis import Redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job

from app.extensions import db
from app.models import Task
from app.tasks.progress import run_as
from app.tasks.registry import JOBS, get_task

if TYPE_CHECKING:
    from app.models import User

QUEUE_NAME = "microblog-tasks"
# Generous enough for an export of 100,000 posts on a slow machine.
JOB_TIMEOUT = 30 * 60
RESULT_TTL = 24 * 60 * 60
# A job without a Task row (an email) keeps no result, and is killed (then retried) after this long.
SHORT_JOB_TIMEOUT = 120

log = logging.getLogger(__name__)


class JobsUnavailable(RuntimeError):
    """The job queue cannot be reached right now."""


class TaskRunner:
    """Launch the registered tasks of one application and look up their jobs."""

    def __init__(self, redis_url: str | None) -> None:
        self.redis_url = redis_url

    def connection(self) -> Redis | None:
        """Return a Redis client for REDIS_URL, or None when tasks run in-process."""
        if not self.redis_url:
            return None
        return Redis.from_url(self.redis_url, socket_connect_timeout=2, socket_timeout=5)

    def launch(self, user: "User", name: str, description: str, *args: Any, **kwargs: Any) -> Task:
        """Commit a Task row for `user`, then start task `name(user.id, *args, **kwargs)`.

        Raises LookupError for an unknown task and JobsUnavailable when it cannot start.
        """
        function = get_task(name)
        task = Task(id=str(uuid.uuid4()), name=name, description=description, user=user)
        db.session.add(task)
        db.session.commit()
        arguments = (user.id, *args)
        try:
            connection = self.connection()
            if connection is None:
                self._start_thread(task.id, function, arguments, kwargs)
            else:
                queue = Queue(QUEUE_NAME, connection=connection)
                queue.enqueue(
                    function, *arguments, job_id=task.id, job_timeout=JOB_TIMEOUT, result_ttl=RESULT_TTL, **kwargs
                )
        except Exception as exc:
            log.exception("could not start task %s (%s)", task.id, name)
            task.failed = True
            task.error = "The job queue is unavailable."
            db.session.commit()
            raise JobsUnavailable(str(exc)) from exc
        return task

    def queue_job(self, name: str, *args: Any, retry_intervals: list[int] | tuple[int, ...] = ()) -> bool:
        """Queue the registered job `name(*args)` on RQ, retried after each of `retry_intervals` seconds.

        Return False without Redis (the caller runs it itself); a Redis error is raised.
        """
        connection = self.connection()
        if connection is None:
            return False
        retry = Retry(max=len(retry_intervals), interval=list(retry_intervals)) if retry_intervals else None
        Queue(QUEUE_NAME, connection=connection).enqueue(
            JOBS[name], *args, job_timeout=SHORT_JOB_TIMEOUT, result_ttl=0, retry=retry
        )
        return True

    def fetch_job(self, task_id: str) -> Job | None:
        """Return the RQ job with this id, or None without Redis or when it is gone."""
        try:
            connection = self.connection()
            if connection is None:
                return None
            return Job.fetch(task_id, connection=connection)
        except NoSuchJobError:
            return None
        except Exception:
            log.warning("could not reach Redis to fetch job %s", task_id, exc_info=True)
            return None

    def queue_length(self) -> int | None:
        """Return how many jobs wait on the queue (None without Redis); raise JobsUnavailable when it is unreachable."""
        connection = self.connection()
        if connection is None:
            return None
        try:
            return Queue(QUEUE_NAME, connection=connection).count
        except Exception as exc:
            raise JobsUnavailable(str(exc)) from exc

    def available(self) -> bool:
        """Return whether a new task could be started now."""
        try:
            connection = self.connection()
            return connection is None or bool(connection.ping())
        except Exception:
            return False

    @staticmethod
    def _start_thread(task_id: str, function, args: tuple, kwargs: dict) -> None:
        app = current_app._get_current_object()
        thread = threading.Thread(
            target=_run_in_thread, args=(app, task_id, function, args, kwargs), name=f"task-{task_id}", daemon=True
        )
        thread.start()


def _run_in_thread(app: Flask, task_id: str, function, args: tuple, kwargs: dict) -> None:
    with app.app_context():
        run_as(task_id, function, *args, **kwargs)
