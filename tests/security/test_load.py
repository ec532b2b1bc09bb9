"""Nothing lost under load: concurrent form and API posts against gunicorn, on SQLite and PostgreSQL."""

import os
import re
import secrets
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import Post
from tests.conftest import TestConfig, free_port
from tests.factories import DEFAULT_PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 20
POSTS_EACH = 25
STARTUP_SECONDS = 30


def server_env(database_url: str) -> dict[str, str]:
    """Return a production-like environment: real secret, CSRF on, no external services."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "GUNICORN_"))}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        # Keep the limits on, but let 20 clients from one address log in at once.
        RATELIMIT_AUTH="10000 per minute",
        RATELIMIT_API="10000 per minute",
        LOG_TO_STDOUT="1",
        REDIS_URL="",
        ELASTICSEARCH_URL="",
        MAIL_SERVER="",
        MS_TRANSLATOR_KEY="",
        LIBRETRANSLATE_URL="",
    )
    return env


def prepare(database_url: str, users: int) -> None:
    """Migrate the database as a deployment does, then add the users."""
    subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"],
        cwd=ROOT,
        env={**server_env(database_url), "FLASK_APP": "microblog.py"},
        check=True,
        capture_output=True,
        timeout=120,
    )
    app = create_app(type("LoadConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url}))
    with app.app_context():
        for n in range(users):
            UserFactory(username=f"load{n}", email=f"load{n}@example.com")
        db.session.remove()
        db.engine.dispose()


def stored_bodies(database_url: str) -> set[str]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return set(connection.scalars(sa.select(Post.body)))
    finally:
        engine.dispose()


class Gunicorn:
    """A gunicorn serving microblog:app on a free port, output kept in a file."""

    def __init__(self, database_url: str, log_path: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115  (closed in stop)
        command = [sys.executable, "-m", "gunicorn", "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(
            [*command, "microblog:app"],
            cwd=ROOT,
            env=server_env(database_url),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            try:
                if requests.get(self.base + "/auth/login", timeout=5).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or a worker still booting
                time.sleep(0.2)
        pytest.fail(f"gunicorn did not start within {STARTUP_SECONDS}s:\n{self.output()}")

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


def csrf_token(html: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def form_client(base: str, n: int) -> tuple[list[str], Counter]:
    """Log in through the form as load<n> and post POSTS_EACH times; return acknowledged bodies and statuses."""
    acknowledged, statuses = [], Counter()
    with requests.Session() as session:
        token = csrf_token(session.get(base + "/auth/login", timeout=30).text)
        login = session.post(
            base + "/auth/login",
            data={"username": f"load{n}", "password": DEFAULT_PASSWORD, "csrf_token": token},
            allow_redirects=False,
            timeout=30,
        )
        assert login.status_code == 302, login.text
        token = csrf_token(session.get(base + "/index", timeout=30).text)
        for i in range(POSTS_EACH):
            body = f"form post {i} from load{n}"
            response = session.post(
                base + "/index", data={"post": body, "csrf_token": token}, allow_redirects=False, timeout=30
            )
            statuses[response.status_code] += 1
            if response.status_code == 302:
                acknowledged.append(body)
    return acknowledged, statuses


def api_client(base: str, n: int) -> tuple[list[str], Counter]:
    """Get a token for load<n> and publish POSTS_EACH posts through the API."""
    acknowledged, statuses = [], Counter()
    with requests.Session() as session:
        response = session.post(base + "/api/tokens", auth=(f"load{n}", DEFAULT_PASSWORD), timeout=30)
        assert response.status_code == 200, response.text
        session.headers["Authorization"] = f"Bearer {response.json()['token']}"
        for i in range(POSTS_EACH):
            body = f"api post {i} from load{n}"
            response = session.post(base + "/api/posts", json={"body": body}, timeout=30)
            statuses[response.status_code] += 1
            if response.status_code == 201:
                acknowledged.append(body)
    return acknowledged, statuses


def run_load(database_url: str, tmp_path: Path) -> None:
    prepare(database_url, CLIENTS)
    server = Gunicorn(database_url, tmp_path / "gunicorn.log")
    try:
        server.wait_until_ready()
        with ThreadPoolExecutor(max_workers=2 * CLIENTS) as pool:
            futures = [pool.submit(form_client, server.base, n) for n in range(CLIENTS)]
            futures += [pool.submit(api_client, server.base, n) for n in range(CLIENTS)]
            results = [future.result() for future in futures]
    finally:
        server.stop()
    output = server.output()
    acknowledged = [body for bodies, _ in results for body in bodies]
    statuses = sum((counts for _, counts in results), Counter())
    assert not [status for status in statuses if status >= 500], f"{statuses}\n{output[-3000:]}"
    assert statuses == Counter({302: CLIENTS * POSTS_EACH, 201: CLIENTS * POSTS_EACH}), statuses
    missing = set(acknowledged) - stored_bodies(database_url)
    assert not missing, f"{len(missing)} acknowledged posts are not in the database"
    assert "Traceback" not in output, output[-3000:]


def test_no_acknowledged_post_is_lost_on_sqlite(tmp_path):
    run_load(f"sqlite:///{tmp_path / 'load.db'}", tmp_path)


@pytest.mark.postgres
def test_no_acknowledged_post_is_lost_on_postgresql(pg_scratch, tmp_path):
    run_load(pg_scratch(), tmp_path)
