"""Servers the tests talk to over real HTTP: a thread of the test process, or gunicorn in a child process.

- `serve(wsgi_app)` runs any WSGI app (the real app, a fake third-party service) in a thread on a free
  port and returns a `LiveServer`: `.url`, `.stop()`, usable as a context manager.
- `LiveServer(server)` does the same for any `socketserver` server (the fake Elasticsearch node).
- `live_app(path)` builds the real app as a browser meets it: CSRF on, on a SQLite file.
- `Gunicorn(env, log_path)` runs `microblog:app` under gunicorn, for tests that need real worker
  processes; `production_env` and `migrate` prepare its environment and database as a deployment does.
"""

import os
import secrets
import socket
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from app.extensions import db
from tests.support.apps import make_app
from tests.support.paths import ROOT, VENV_BIN

HOST = "127.0.0.1"
# PyJWT warns about HMAC keys under 32 bytes.
LIVE_SECRET_KEY = "live-server-secret-key-0123456789abcdef"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 where nothing listens (for a service that is down, or a child process)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class LiveServer:
    """A server answering in a thread of the test process until `stop()`; `.url` is its base URL."""

    def __init__(self, server: socketserver.BaseServer, name: str = "live-server", app: object = None):
        self.server = server
        self.app = app
        host, port = server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self.thread: threading.Thread | None = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True
        )
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def stop(self) -> None:
        """Stop answering, close the socket, and close the database connections of a Flask app. Idempotent."""
        if self.thread is None:
            return
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()
        self.thread = None
        if isinstance(self.app, Flask):
            with self.app.app_context():
                db.engine.dispose()

    def __enter__(self) -> "LiveServer":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def serve(wsgi_app, name: str = "live-server") -> LiveServer:
    """Serve a WSGI app (threaded, like a real server) on a free port of 127.0.0.1."""
    return LiveServer(make_server(HOST, 0, wsgi_app, threaded=True), name=name, app=wsgi_app)


def live_app(database_path: Path, **settings) -> Flask:
    """Return the real app as a browser meets it: CSRF on, on a new SQLite file (threads share a file).

    Extra settings are config values (`LIBRETRANSLATE_URL=...`).
    """
    return make_app(f"sqlite:///{database_path}", WTF_CSRF_ENABLED=True, SECRET_KEY=LIVE_SECRET_KEY, **settings)


# The app in child processes, as deployed.


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    """Return an environment for the app in a child process (gunicorn, boot.sh): a real secret, CSRF and
    rate limits on, logging to stdout, the venv first on PATH, and no external service but the database.

    Blank values win over a developer's .env (load_dotenv never replaces a variable that is set).
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLASK_", "GUNICORN_", "PYTEST_")) and key != "PYTHON"
    }
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        LOG_TO_STDOUT="1",
        REDIS_URL="",
        ELASTICSEARCH_URL="",
        MAIL_SERVER="",
        # With no mail server to carry the link, accounts need no confirmation (tests that check
        # confirmation turn it back on, with a mail server of their own).
        REQUIRE_EMAIL_CONFIRMATION="0",
        MS_TRANSLATOR_KEY="",
        LIBRETRANSLATE_URL="",
        SERVER_NAME="",
        SESSION_COOKIE_SECURE="",
    )
    env.update(extra)
    return env


def migrate(env: dict[str, str]) -> None:
    """Apply the migrations to the environment's DATABASE_URL with `flask db upgrade`, as a deployment does."""
    subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"],
        cwd=ROOT,
        env={**env, "FLASK_APP": "microblog.py"},
        check=True,
        capture_output=True,
        timeout=120,
    )


class Gunicorn:
    """`microblog:app` under gunicorn in a child process, on a free port, its output kept in a file.

    `start()` waits until `ready_path` answers 200 (failing the test with the log if gunicorn dies or
    takes longer than `startup_seconds`); `stop()` sends SIGTERM and waits. Also a context manager.
    """

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        workers: int = 2,
        threads: int = 1,
        ready_path: str = "/auth/login",
        startup_seconds: float = 30,
    ):
        self.env = env
        self.log_path = log_path
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"{HOST}:{self.port}"]
        if threads > 1:
            self.command += ["--threads", str(threads)]
        self.command.append("microblog:app")
        self.ready_path = ready_path
        self.startup_seconds = startup_seconds
        self.process: subprocess.Popen | None = None
        self.log = None

    def start(self) -> "Gunicorn":
        self.log = open(self.log_path, "wb")  # noqa: SIM115  (closed in stop)
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited with {self.process.returncode}:\n{self.output()}")
            try:
                if requests.get(self.url + self.ready_path, timeout=5).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or a worker still booting
                pass
            time.sleep(0.2)
        pytest.fail(f"gunicorn did not start within {self.startup_seconds}s:\n{self.output()}")

    def output(self) -> str:
        """Return what gunicorn and the app wrote so far."""
        if self.log is not None and not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.log is not None:
            self.log.close()

    def __enter__(self) -> "Gunicorn":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
