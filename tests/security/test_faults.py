"""Faults: a mail server that is down and a database that goes away and comes back."""

import logging

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app.extensions import db
from app.models import Post, User
from config import Config
from tests.conftest import free_port, make_app
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.security.conftest import TcpProxy, log_in, pushed


@pytest.fixture
def no_smtp_app():
    """An app configured for an SMTP server on a port where nothing listens."""
    yield from pushed(make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port()))


def test_registration_works_while_the_mail_server_is_down(no_smtp_app):
    response = no_smtp_app.test_client().post(
        "/auth/register",
        data={"username": "anna", "email": "anna@example.com", "password": "password1", "password2": "password1"},
    )
    assert response.status_code == 302 and response.location == "/auth/login"
    assert db.session.scalar(User.by_username("anna")) is not None


def test_a_reset_request_answers_normally_and_logs_the_mail_failure(no_smtp_app, caplog):
    UserFactory(username="susan", email="susan@example.com")
    client = no_smtp_app.test_client()
    with caplog.at_level(logging.ERROR):
        known = client.post("/auth/reset_password_request", data={"email": "susan@example.com"})
    assert known.status_code == 302 and known.location == "/auth/login"
    page = client.get("/auth/login")
    assert "Check your email for the instructions" in page.text
    failures = [record for record in caplog.records if "could not send email" in record.getMessage()]
    assert failures, "the mail failure was not logged"
    assert "susan@example.com" in failures[0].getMessage()
    assert failures[0].exc_info is not None
    unknown = client.post("/auth/reset_password_request", data={"email": "nobody@example.com"})
    assert (unknown.status_code, unknown.location) == (known.status_code, known.location)


@pytest.fixture
def proxied_postgres(pg_scratch):
    """An app whose PostgreSQL connections go through a TCP proxy the test can cut; yield (app, proxy)."""
    url = make_url(pg_scratch())
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    # The production engine options (pool_pre_ping), so recovery is tested as it runs for real.
    app = make_app(proxied, SQLALCHEMY_ENGINE_OPTIONS=Config.SQLALCHEMY_ENGINE_OPTIONS)
    try:
        for pushed_app in pushed(app):
            UserFactory(username="susan", email="susan@example.com")
            yield pushed_app, proxy
    finally:
        with app.app_context():
            db.engine.dispose()
        proxy.close()


def assert_503_page(response) -> None:
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert "temporarily unavailable" in response.text
    assert 'class="navbar-brand"' in response.text
    for leak in ("Traceback", "OperationalError", "psycopg", "SELECT", "127.0.0.1"):
        assert leak not in response.text
    assert response.headers["Retry-After"]


def test_a_database_outage_is_a_503_and_the_app_recovers_without_restart(proxied_postgres):
    app, proxy = proxied_postgres
    browser = log_in(app.test_client())
    api = app.test_client()
    token = api.post("/api/tokens", auth=("susan", DEFAULT_PASSWORD)).json["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert browser.get("/index").status_code == 200
    assert api.get("/api/users/1", headers=bearer).status_code == 200

    proxy.cut()
    assert_503_page(browser.get("/index"))
    assert_503_page(browser.get("/explore"))
    assert_503_page(browser.post("/index", data={"post": "written during the outage"}))
    outage_api = api.get("/api/users/1", headers=bearer)
    assert outage_api.status_code == 503
    assert outage_api.is_json
    assert outage_api.json["error"] == "Service Unavailable"
    assert "Traceback" not in outage_api.text
    assert api.post("/api/posts", json={"body": "api post during the outage"}, headers=bearer).status_code == 503
    # Pages that need no database keep working.
    assert app.test_client().get("/auth/login").status_code == 200

    proxy.restore()
    assert browser.get("/index").status_code == 200
    assert api.get("/api/users/1", headers=bearer).status_code == 200
    assert browser.post("/index", data={"post": "written after the outage"}).status_code == 302
    assert api.post("/api/posts", json={"body": "api post after the outage"}, headers=bearer).status_code == 201
    bodies = set(db.session.scalars(sa.select(Post.body)))
    assert bodies == {"written after the outage", "api post after the outage"}
