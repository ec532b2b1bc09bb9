"""Nothing lost under load: concurrent form and API posts against gunicorn, on SQLite and PostgreSQL."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from app.extensions import db
from app.models import Post
from tests.support.apps import build_app
from tests.support.factories import DEFAULT_PASSWORD, UserFactory
from tests.support.live_server import Gunicorn, migrate, production_env
from tests.support.pages import csrf_token_from

CLIENTS = 20
POSTS_EACH = 25
STARTUP_SECONDS = 30


def server_env(database_url: str) -> dict[str, str]:
    """Return a production-like environment: real secret, CSRF on, no external services."""
    # Keep the limits on, but let 20 clients from one address log in at once.
    return production_env(database_url, RATELIMIT_AUTH="10000 per minute", RATELIMIT_API="10000 per minute")


def prepare(database_url: str, users: int) -> None:
    """Migrate the database as a deployment does, then add the users."""
    migrate(server_env(database_url))
    app = build_app(SQLALCHEMY_DATABASE_URI=database_url)
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


def form_client(base: str, n: int) -> tuple[list[str], Counter]:
    """Log in through the form as load<n> and post POSTS_EACH times; return acknowledged bodies and statuses."""
    acknowledged, statuses = [], Counter()
    with requests.Session() as session:
        token = csrf_token_from(session.get(base + "/auth/login", timeout=30).text)
        login = session.post(
            base + "/auth/login",
            data={"username": f"load{n}", "password": DEFAULT_PASSWORD, "csrf_token": token},
            allow_redirects=False,
            timeout=30,
        )
        assert login.status_code == 302, login.text
        token = csrf_token_from(session.get(base + "/index", timeout=30).text)
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
    server = Gunicorn(
        server_env(database_url), tmp_path / "gunicorn.log", workers=2, threads=4, startup_seconds=STARTUP_SECONDS
    )
    with server, ThreadPoolExecutor(max_workers=2 * CLIENTS) as pool:
        futures = [pool.submit(form_client, server.url, n) for n in range(CLIENTS)]
        futures += [pool.submit(api_client, server.url, n) for n in range(CLIENTS)]
        results = [future.result() for future in futures]
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
