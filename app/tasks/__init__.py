"""Background tasks: a registry of task functions, the runner that starts them, and the tasks.

`launch_task` on a user (the tutorial's interface) reaches the runner through
`current_app.extensions["tasks"]`. With REDIS_URL set the runner queues the task on RQ (queue
`microblog-tasks`, `rq worker microblog-tasks` runs it); without it, a thread of the web process runs
it. Emails are jobs too (`deliver_email`, retried, with no Task row). The tasks themselves are
importable from here, as `rq worker` expects (`app.tasks.export_posts`).
"""

from flask import Flask

from app.tasks.email import deliver_email
from app.tasks.export import export_posts, start_export
from app.tasks.registry import JOBS, TASKS, job, task, use_app_factory
from app.tasks.runner import QUEUE_NAME, JobsUnavailable, TaskRunner

__all__ = [
    "QUEUE_NAME",
    "TASKS",
    "JOBS",
    "JobsUnavailable",
    "TaskRunner",
    "deliver_email",
    "export_posts",
    "init_app",
    "job",
    "start_export",
    "task",
    "use_app_factory",
]


def init_app(app: Flask) -> None:
    """Give the app its task runner."""
    app.extensions["tasks"] = TaskRunner(app.config.get("REDIS_URL"))
