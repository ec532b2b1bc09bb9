"""An RQ worker that builds the Flask app once.

RQ forks a "work horse" for every job. Run the worker as
`rq worker microblog-tasks -w app.worker.AppWorker` and the app is built in the
parent process, once; every horse inherits it instead of building its own.
A plain `rq worker microblog-tasks` works too, building the app in each horse.
"""

from rq.worker import Worker

from app.extensions import db
from app.tasks import worker_app


class AppWorker(Worker):
    """A forking RQ worker that creates the Flask app before its first job."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        worker_app()

    def execute_job(self, job, queue):
        # Connections must not be shared across the fork: the horse opens its own.
        with worker_app().app_context():
            db.engine.dispose(close=False)
        return super().execute_job(job, queue)
