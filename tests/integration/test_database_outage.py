"""Faults: the PostgreSQL server goes away (a TCP proxy cut) and comes back; the app recovers without a restart."""

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app.extensions import db
from app.models import Post
from config import Config
from tests.support.apps import make_app, pushed
from tests.support.auth import log_in
from tests.support.factories import DEFAULT_PASSWORD, UserFactory
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres


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


def signed_in_clients(app):
    """Return Susan's browser (signed in), an API client and its bearer header."""
    browser = log_in(app.test_client())
    api = app.test_client()
    token = api.post("/api/tokens", auth=("susan", DEFAULT_PASSWORD)).json["token"]
    return browser, api, {"Authorization": f"Bearer {token}"}


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
    browser, api, bearer = signed_in_clients(app)
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


def test_connections_found_dead_cost_no_failed_request(proxied_postgres):
    """The server restarts between requests: every pooled connection is dead, and nothing pings them first."""
    app, proxy = proxied_postgres
    browser, api, bearer = signed_in_clients(app)
    assert browser.get("/index").status_code == 200

    proxy.cut()  # breaks the open connections, the pool's included
    proxy.restore()  # the server is back before anyone asks
    assert browser.get("/index").status_code == 200
    assert api.get("/api/users/1", headers=bearer).status_code == 200

    proxy.cut()
    proxy.restore()
    assert browser.post("/index", data={"post": "the first post after a restart"}).status_code == 302
    proxy.cut()
    proxy.restore()
    posted = api.post("/api/posts", json={"body": "the first api post after a restart"}, headers=bearer)
    assert posted.status_code == 201
    bodies = list(db.session.scalars(sa.select(Post.body)))
    assert sorted(bodies) == ["the first api post after a restart", "the first post after a restart"]
