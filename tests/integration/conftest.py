"""Fixtures for the tests against real servers: an SMTP server, scratch PostgreSQL and MariaDB databases.

Each service is looked up through tests/support/services.py: missing, it skips the test locally and
fails it under CI=true.
"""

import pytest
from redis import Redis

from tests.support import services
from tests.support.apps import make_app, reset_database
from tests.support.databases import ScratchDatabases
from tests.support.smtp import smtp_server as run_smtp_server


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free port: yields (host, port, inbox)."""
    with run_smtp_server() as server:
        yield server


@pytest.fixture
def redis_url():
    """The tests' Redis database, emptied: missing, the test skips locally and fails under CI=true."""
    url = services.require_redis()
    Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def pg_scratch():
    """Return a function that creates an empty PostgreSQL database and returns its URL; all dropped after."""
    with ScratchDatabases(services.require_postgres()) as scratch:
        yield scratch.create


@pytest.fixture
def mariadb_scratch():
    """Return a function that creates an empty utf8mb4 MariaDB database and returns its URL; all dropped after."""
    with ScratchDatabases(services.require_mariadb()) as scratch:
        yield scratch.create


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def each_database_url(request, tmp_path):
    """The URL of an empty database on each kind in turn: an SQLite file, scratch PostgreSQL and MariaDB."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'each.db'}"
    return request.getfixturevalue("pg_scratch" if request.param == "postgres" else "mariadb_scratch")()


@pytest.fixture
def each_database_app(each_database_url):
    """An app on `each_database_url`, inside a request context (as a view runs); its tables are dropped after."""
    app = make_app(each_database_url)
    with app.test_request_context():
        yield app
    reset_database(app)
