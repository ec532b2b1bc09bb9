"""Shared fixtures: apps on each database, clients, login helper, SMTP server."""

import contextvars
import functools
import socket
import threading
from email import message_from_bytes, policy

import jinja2
import pytest
import sqlalchemy as sa
import werkzeug.security
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from config import Config
from tests import services
from tests.factories import DEFAULT_PASSWORD, UserFactory


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
    LOG_TO_STDOUT = False


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    The shared `app` fixture keeps an app context pushed for the whole test, and Flask reuses a pushed
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


def make_app(database_url: str = "sqlite://", **settings):
    """Return an app on an empty schema at `database_url`, with extra settings."""
    config = type("PerTestConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **settings})
    app = create_app(config)
    app.test_client_class = IsolatedClient
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def reset_database(app) -> None:
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """Hash new passwords with a cheap scrypt cost: the default (~0.1 s a hash) would dominate the suite.

    Checking still reads the method from the stored hash, so the app's own code path is exercised.
    """
    monkeypatch.setattr(
        "app.models.user.generate_password_hash",
        functools.partial(werkzeug.security.generate_password_hash, method="scrypt:1024:8:1"),
    )


@pytest.fixture
def app():
    """An app on a fresh in-memory SQLite database, inside an app context."""
    app = make_app()
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db_app(request):
    """The same app on SQLite and on the PostgreSQL server (for model and timeline tests)."""
    url = "sqlite://" if request.param == "sqlite" else services.require_postgres()
    app = make_app(url)
    with app.app_context():
        yield app
    reset_database(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Register and log in through the real forms."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = DEFAULT_PASSWORD, **extra):
        return self.client.post("/auth/login", data={"username": username, "password": password, **extra})

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def user(app):
    """A saved user called 'susan' with the default password."""
    return UserFactory(username="susan", email="susan@example.com")


@pytest.fixture
def logged_in(client, auth, user):
    """A client logged in as `user`."""
    response = auth.login("susan")
    assert response.status_code == 302
    return client


def count_rows(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPInbox:
    """Messages received by the test SMTP server, parsed."""

    def __init__(self):
        self.messages = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        with self.arrived:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 10):
        """Wait until `count` messages arrived; return them."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        assert len(self.messages) >= count, f"expected {count} email(s), got {len(self.messages)}"
        return self.messages


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free port: yields (host, port, inbox)."""
    from aiosmtpd.controller import Controller

    inbox = SMTPInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.hostname, controller.port, inbox
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole run, shared by every browser test.

    Playwright's sync API runs one event loop per thread, so the suite may start it only once.
    """
    from tests.browser import launch_chromium

    yield from launch_chromium()
