"""`/healthz`: each dependency down or not configured, bounded, anonymous and secret-free.

The checks of reachable PostgreSQL, Redis and SMTP servers are in tests/integration/test_healthz.py.
"""

import json
import socket
import time

import sqlalchemy as sa

from app import __version__, create_app
from app.extensions import db, limiter
from app.models import User
from app.web import health
from tests.support.apps import TestConfig, make_app
from tests.support.auth import AuthActions
from tests.support.factories import UserFactory
from tests.support.live_server import free_port

PASSWORD = "hunter2-do-not-leak"


def broken_app(database_url: str, **settings):
    """Return an app whose database cannot be reached (no schema is created)."""
    config = type("BrokenDbConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **settings})
    return create_app(config)


def get_health(app, **kwargs):
    response = app.test_client().get("/healthz", **kwargs)
    return response, response.get_json()


def assert_no_secret(response):
    body = response.get_data(as_text=True)
    assert PASSWORD not in body
    assert "://" not in body  # no URL at all, so no URL with credentials


def test_embedded_defaults_are_healthy_and_not_configured():
    response, body = get_health(make_app())
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert body["status"] == "ok"
    assert body["version"] == __version__
    assert body["checks"] == {
        "database": {"status": "ok", "backend": "sqlite"},
        "redis": {"status": "not configured", "backend": "in-process"},
        "search": {"status": "not configured", "backend": "database"},
        "mail": {"status": "not configured", "backend": "console"},
    }


def test_unreachable_postgresql_is_503_without_the_password():
    app = broken_app(f"postgresql+psycopg://microblog:{PASSWORD}@127.0.0.1:{free_port()}/microblog")
    response, body = get_health(app)
    assert response.status_code == 503
    assert body["status"] == "down"
    assert body["checks"]["database"]["status"] == "down"
    assert body["checks"]["database"]["reason"]
    assert_no_secret(response)


def test_broken_sqlite_path_is_503(tmp_path):
    app = broken_app(f"sqlite:///{tmp_path}/no/such/dir/app.db")
    response, body = get_health(app)
    assert response.status_code == 503
    assert body["checks"]["database"]["status"] == "down"
    assert "OperationalError" in body["checks"]["database"]["reason"]


def logged_in_session_cookie(tmp_path) -> str:
    """Log in through the form on a working app and return the signed session cookie."""
    app = make_app(f"sqlite:///{tmp_path}/cookie.db")
    with app.app_context():
        UserFactory(username="susan", email="susan@example.com")
    client = app.test_client()
    assert AuthActions(client).login("susan").status_code == 302
    return client.get_cookie("session").value


def test_database_down_with_a_session_cookie_is_still_503(tmp_path):
    """A logged-in browser must not turn the check into an error page by loading its user."""
    cookie = logged_in_session_cookie(tmp_path)
    app = broken_app(f"postgresql+psycopg://microblog@127.0.0.1:{free_port()}/microblog")
    client = app.test_client()
    client.set_cookie("session", cookie)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"]["status"] == "down"


def test_redis_closed_port_is_reported_down_but_site_healthy():
    app = make_app(REDIS_URL=f"redis://:{PASSWORD}@127.0.0.1:{free_port()}/0")
    response, body = get_health(app)
    assert response.status_code == 200
    assert body["checks"]["redis"]["status"] == "down"
    assert body["checks"]["redis"]["reason"]
    assert_no_secret(response)


def test_elasticsearch_closed_port_is_reported_down_but_site_healthy():
    app = make_app(ELASTICSEARCH_URL=f"http://elastic:{PASSWORD}@127.0.0.1:{free_port()}")
    response, body = get_health(app)
    assert response.status_code == 200
    assert body["checks"]["search"]["status"] == "down"
    assert_no_secret(response)


def test_mail_server_closed_port_is_reported_down(tmp_path):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USERNAME="me", MAIL_PASSWORD=PASSWORD)
    response, body = get_health(app)
    assert response.status_code == 200
    assert body["checks"]["mail"]["status"] == "down"
    assert_no_secret(response)


def test_a_server_that_never_answers_costs_one_timeout(monkeypatch):
    """A black-holed dependency is reported down after the deadline instead of hanging the check."""
    monkeypatch.setattr(health, "CHECK_TIMEOUT", 0.5)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts connections into the backlog but never says a word
        app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=silent.getsockname()[1])
        started = time.monotonic()
        response, body = get_health(app)
        elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert body["checks"]["mail"]["status"] == "down"
    assert elapsed < 2.5


def test_health_check_does_not_touch_last_seen(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/app.db", LAST_SEEN_INTERVAL=0)
    client = app.test_client()
    with app.app_context():
        user_id = UserFactory(username="susan", email="susan@example.com").id
    assert AuthActions(client).login("susan").status_code == 302

    def last_seen():
        with app.app_context():
            return db.session.scalar(sa.select(User.last_seen).where(User.id == user_id))

    def forget_last_seen():
        with app.app_context():
            db.session.execute(sa.update(User).where(User.id == user_id).values(last_seen=None))
            db.session.commit()

    forget_last_seen()
    assert client.get("/healthz").status_code == 200
    assert last_seen() is None
    # The same client on an ordinary page does record it, so the cookie really is logged in.
    client.get("/index")
    assert last_seen() is not None


def test_health_check_is_exempt_from_rate_limits():
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute")
    try:
        client = app.test_client()
        assert [client.get("/healthz").status_code for _ in range(5)] == [200] * 5
        # The same limit does apply to an ordinary page, so the exemption is what let the checks through.
        assert 429 in [client.get("/auth/login").status_code for _ in range(5)]
    finally:
        limiter.limit_manager.set_default_limits([])  # the limiter is a process-wide singleton


def test_no_login_needed_and_body_is_plain_json():
    response, body = get_health(make_app())
    assert response.status_code == 200
    assert json.loads(response.get_data(as_text=True)) == body
    assert set(body) == {"status", "version", "checks"}
