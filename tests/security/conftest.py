"""Fixtures for the security and fault-tolerance tests: isolated apps, logged-in clients, helpers."""

import contextlib
import contextvars
import re
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
import pytest
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from app.extensions import db
from tests import services
from tests.conftest import make_app
from tests.factories import DEFAULT_PASSWORD

XSS = '<script>alert("xss")</script>'
XSS_ESCAPED = "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;"
# An attribute breakout: harmless only if the quotes and angle brackets are escaped.
XSS_ATTR = '"><img src=x onerror=alert(2)>'


class IsolatedClient(FlaskClient):
    """A test client whose requests each run in a fresh context, as separate requests do in production.

    The app fixtures keep an app context pushed for factories; without this, `g` (Flask-Login's user,
    Flask-WTF's token) and the database session would leak from one request or client into the next.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def pushed(app) -> Iterator:
    """Yield `app` with an app context pushed and isolated clients; clean up afterwards."""
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def secure_app():
    """An app with CSRF protection on (as in production), on a fresh in-memory database."""
    yield from pushed(make_app(WTF_CSRF_ENABLED=True))


@pytest.fixture
def plain_app():
    """An app with CSRF off (for tests about something else), on a fresh in-memory database."""
    yield from pushed(make_app())


@pytest.fixture
def limited_app():
    """An app with rate limits on: 3 sensitive requests a minute per address and per account."""
    yield from pushed(make_app(RATELIMIT_ENABLED=True, RATELIMIT_AUTH="3 per minute"))


def csrf_token_from(html: str) -> str:
    """Return the CSRF token of a page (the <meta> tag every page carries, or a form field)."""
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', html
    )
    assert match, "page has no CSRF token"
    return match.group(1)


def log_in(client, username: str = "susan", password: str = DEFAULT_PASSWORD, **extra):
    """Sign `client` in through the login form (with its CSRF token when the app wants one)."""
    data = {"username": username, "password": password, **extra}
    if client.application.config["WTF_CSRF_ENABLED"]:
        data["csrf_token"] = csrf_token_from(client.get("/auth/login").text)
    response = client.post("/auth/login", data=data)
    assert response.status_code == 302, response.text
    assert urlsplit(response.location).path in {"/", "/index"}, response.location
    return client


def signed_in(app, username: str = "susan", **extra) -> FlaskClient:
    """Return a new client of `app` signed in as `username`."""
    return log_in(app.test_client(), username, **extra)


@pytest.fixture
def pg_scratch() -> Iterator:
    """Return a function that creates an empty PostgreSQL database and returns its URL; all dropped after."""
    server_url = make_url(services.require_postgres())
    created: list[str] = []

    def admin() -> psycopg.Connection:
        params = {"host": server_url.host, "port": server_url.port or 5432, "dbname": server_url.database}
        if server_url.username:
            params["user"] = server_url.username
        if server_url.password:
            params["password"] = server_url.password
        return psycopg.connect(**params, autocommit=True)

    def create() -> str:
        name = f"microblog_security_{uuid.uuid4().hex[:12]}"
        with admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return server_url.set(database=name).render_as_string(hide_password=False)

    yield create
    with admin() as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# A username that the forms would refuse, as if it came from old data or another tool: pages must still escape it.
EVIL_NAME = '<b onmouseover="alert(3)">evil</b>'


def seed_hostile_content() -> dict:
    """Fill the database with user text that would run script if any page printed it raw.

    Susan (about me) follows john and `EVIL_NAME`; all three post hostile text; evil messages susan;
    susan has a hostile notification and a running task with a hostile description.
    """
    import uuid

    from app.models import Task, User
    from tests.factories import MessageFactory, PostFactory, UserFactory

    susan = UserFactory(username="susan", email="susan@example.com", about_me=XSS + XSS_ATTR)
    john = UserFactory(username="john", email="john@example.com", about_me=XSS_ATTR)
    evil = UserFactory(username="evil", email="evil@example.com")
    evil.username = EVIL_NAME  # straight to the database: the validators would refuse it
    db.session.commit()
    susan.follow(john)
    susan.follow(evil)
    posts = [
        PostFactory(author=susan, body=f"alert {XSS}", language="en"),
        PostFactory(author=john, body=f"alert {XSS_ATTR}", language="es"),
        PostFactory(author=evil, body="alert from evil", language="en"),
    ]
    MessageFactory(author=evil, recipient=susan, body=XSS)
    MessageFactory(author=john, recipient=susan, body=XSS_ATTR)
    susan.add_notification("hostile", {"text": XSS, "attr": XSS_ATTR})
    db.session.add(Task(id=str(uuid.uuid4()), name="export_posts", description=XSS, user=susan))
    db.session.commit()
    assert db.session.get(User, evil.id).username == EVIL_NAME
    return {"susan": susan, "john": john, "evil": evil, "posts": posts}


class TcpProxy:
    """A TCP relay on 127.0.0.1 in front of a server; `cut()` drops every connection until `restore()`."""

    def __init__(self, host: str, port: int):
        import socket
        import threading

        self.upstream = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.is_cut = False
        self.stopping = False
        self.lock = threading.Lock()
        self.sockets: list = []
        self.thread = threading.Thread(target=self._accept_loop, name="tcp-proxy", daemon=True)
        self.thread.start()

    def _accept_loop(self) -> None:
        import socket
        import threading

        while not self.stopping:
            try:
                client, _ = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            if self.is_cut:
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            client.settimeout(None)
            with self.lock:
                self.sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source, target) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source)
            self._close(target)

    def _close(self, sock) -> None:
        import socket

        with self.lock:
            if sock in self.sockets:
                self.sockets.remove(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def cut(self) -> None:
        """Refuse new connections and break the open ones, like a database that went away."""
        self.is_cut = True
        with self.lock:
            open_sockets = list(self.sockets)
        for sock in open_sockets:
            self._close(sock)

    def restore(self) -> None:
        self.is_cut = False

    def close(self) -> None:
        self.stopping = True
        self.cut()
        self.thread.join(timeout=5)
        self.listener.close()
