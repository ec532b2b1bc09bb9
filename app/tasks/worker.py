"""The RQ worker's side: one Flask app per worker process.

RQ forks a "work horse" for every job. Run the worker as
`rq worker microblog-tasks -w app.tasks.worker.AppWorker` and the app is built in the parent
process, once; every horse inherits it instead of building its own. A plain
`rq worker microblog-tasks` works too: the first task a horse runs builds the app there
(see `app.tasks.registry.worker_app`).
"""

from rq.worker import Worker

from app.extensions import db
from app.tasks.registry import worker_app


class AppWorker(Worker):
    """A forking RQ worker that creates the Flask app before its first job."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        worker_app()

    def execute_job(self, job, queue):
        """Run one job in a horse, which opens its own database connections."""
        # Connections must not be shared across the fork: the horse opens its own.
        with worker_app().app_context():
            db.engine.dispose(close=False)
        return super().execute_job(job, queue)
