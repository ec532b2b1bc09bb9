"""The tasks the application can run in the background, by name.

`@task` registers a function under its own name: `User.launch_task("export_posts", ...)` finds it
here, and the runner hands the function itself (never a dotted string) to RQ or to a thread.
The registered function runs in an application context and marks its Task row failed when it
raises. A plain `rq worker` starts it without an app: `worker_app` builds one per process with
the factory that `app/__init__.py` hands over through `use_app_factory` (this package cannot
import the factory, which imports this package).
"""

import logging
from collections.abc import Callable
from contextlib import contextmanager
from functools import cache, wraps
from typing import Any

from flask import Flask, has_app_context

from app.tasks.progress import current_task_id, fail_task

log = logging.getLogger(__name__)

TASKS: dict[str, Callable[..., Any]] = {}
# Jobs with no Task row for a user to watch (an email): queued by `TaskRunner.queue_job`.
JOBS: dict[str, Callable[..., Any]] = {}
_app_factory: list[Callable[[], Flask]] = []


def use_app_factory(factory: Callable[[], Flask]) -> None:
    """Remember how to build the app for tasks that start outside one."""
    _app_factory[:] = [factory]


@cache
def worker_app() -> Flask:
    """Build the app once per worker process (app.tasks.worker.AppWorker does it before forking)."""
    if not _app_factory:
        raise RuntimeError("no app factory: import the `app` package before running a task")
    return _app_factory[0]()


def task(failure_message: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as a background task; `failure_message` is shown when it fails."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            with _app_context():
                task_id = current_task_id()
                try:
                    return function(*args, **kwargs)
                except Exception:
                    log.exception("task %s failed (task id %s)", function.__name__, task_id)
                    if task_id:
                        fail_task(task_id, failure_message)
                    raise

        TASKS[function.__name__] = run
        return run

    return register


def job(function: Callable[..., Any]) -> Callable[..., Any]:
    """Register the decorated function as a background job that runs in an application context."""

    @wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        with _app_context():
            return function(*args, **kwargs)

    JOBS[function.__name__] = run
    return run


def get_task(name: str) -> Callable[..., Any]:
    """Return the registered task called `name`, or raise LookupError."""
    try:
        return TASKS[name]
    except KeyError:
        raise LookupError(f"no background task called {name!r}") from None


@contextmanager
def _app_context():
    if has_app_context():
        yield
        return
    with worker_app().app_context():
        yield
