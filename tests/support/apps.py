"""Apps for the tests: the isolated config, the test client, the app builder and database helpers."""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

import jinja2
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from config import Config


class TestConfig(Config):
    """Isolated settings: in-memory SQLite, no external service unless a test asks."""

    TESTING = True
    SECRET_KEY = "test-secret-key-that-is-long-enough-for-hs256"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS = {}
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    REDIS_URL = None
    ELASTICSEARCH_URL = None
    MAIL_SERVER = None
    MS_TRANSLATOR_KEY = None
    LIBRETRANSLATE_URL = None
    SERVER_NAME = None
    S3_BUCKET = None
    MEDIA_ACCEL_REDIRECT = None
    LOG_TO_STDOUT = False
    TRENDING_TAGS_SECONDS = 0
    TAG_TOTAL_SECONDS = 0
    # Most tests sign in with fresh accounts; tests/functional/test_confirmation.py turns it on.
    REQUIRE_EMAIL_CONFIRMATION = False


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    The app fixtures keep an app context pushed for the whole test, and Flask reuses a pushed
    context for requests: `g` (Flask-Login's cached user, Flask-WTF's CSRF token, Flask-Babel's locale)
    and the database session would then leak from one request, or one client, to the next.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Keep compiled templates in memory, keyed by their source, across the many apps of a run."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


# Each test builds a new app, and so a new Jinja environment: without this every page recompiles.
TEMPLATE_CACHE = MemoryBytecodeCache()


def config_class(name: str = "PerTestConfig", **settings) -> type[TestConfig]:
    """Return TestConfig with some settings changed."""
    return type(name, (TestConfig,), settings)


def build_app(**settings) -> Flask:
    """Return an app with these settings and the isolated client; create no schema."""
    app = create_app(config_class(**settings))
    app.test_client_class = IsolatedClient
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    return app


def make_app(database_url: str = "sqlite://", **settings) -> Flask:
    """Return an app on an empty schema at `database_url`, with extra settings."""
    app = build_app(SQLALCHEMY_DATABASE_URI=database_url, **settings)
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def reset_database(app) -> None:
    """Drop the app's tables and close its connections (for apps on a real database server)."""
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def pushed(app) -> Iterator:
    """Yield `app` with an app context pushed; remove the session afterwards (`yield from` it in a fixture)."""
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()


def count_rows(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


class QueryCounter:
    """Count the SQL statements the engine runs."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def counting_queries():
    """Yield a QueryCounter listening on the app's engine."""
    counter = QueryCounter()
    sa.event.listen(db.engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", counter)
