"""Real `rq worker` processes for the integration tests, started as a user would."""

import os
import signal
import subprocess
from pathlib import Path

from tests.support.paths import ROOT, VENV_BIN

RQ = str(VENV_BIN / "rq")


def worker_env(app) -> dict:
    """The environment that points a worker at the same database, mail server, Redis and uploads as `app`."""
    config = app.config
    env = dict(os.environ)
    env.update(
        FLASK_APP="microblog.py",
        SECRET_KEY="worker-secret-key",
        DATABASE_URL=config["SQLALCHEMY_DATABASE_URI"],
        MAIL_SERVER=config["MAIL_SERVER"] or "",
        MAIL_PORT=str(config["MAIL_PORT"]),
        REDIS_URL=config["REDIS_URL"] or "",
        UPLOAD_DIR=config.get("UPLOAD_DIR") or "",
        LOG_TO_STDOUT="1",
    )
    return env


def start_worker(
    app,
    log_path: Path,
    burst: bool = True,
    app_worker: bool = False,
    scheduler: bool = False,
    extra_env: dict | None = None,
) -> subprocess.Popen:
    """Start `rq worker` as a user would, from the project root; its output goes to `log_path`.

    `extra_env` adds settings of the app's that the worker needs too (say, federation's).
    """
    command = [RQ, "worker", "microblog-tasks", "-u", app.config["REDIS_URL"]]
    if app_worker:
        command += ["-w", "app.tasks.worker.AppWorker"]
    if scheduler:
        command.append("--with-scheduler")
    if burst:
        command.append("--burst")
    with open(log_path, "w") as log:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=worker_env(app) | (extra_env or {}),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def child_pids(pid: int) -> list[int]:
    """Return the ids of a process's children (RQ's forked "work horse")."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def kill_worker(worker: subprocess.Popen) -> None:
    """Kill a worker and its work horse at once (SIGKILL: no warm shutdown, nothing cleaned up)."""
    for pid in [*child_pids(worker.pid), worker.pid]:
        os.kill(pid, signal.SIGKILL)
    worker.wait()
