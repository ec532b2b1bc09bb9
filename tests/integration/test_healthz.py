"""`/healthz` reports the real PostgreSQL, Redis and SMTP servers as ok."""

import pytest

from tests.support import services
from tests.support.apps import make_app, reset_database


def get_health(app, **kwargs):
    response = app.test_client().get("/healthz", **kwargs)
    return response, response.get_json()


@pytest.mark.redis
def test_reachable_redis_is_ok():
    app = make_app(REDIS_URL=services.require_redis())
    response, body = get_health(app)
    assert response.status_code == 200
    assert body["checks"]["redis"] == {"status": "ok", "backend": "redis"}


def test_reachable_mail_server_is_ok(smtp_server):
    host, port, inbox = smtp_server
    response, body = get_health(make_app(MAIL_SERVER=host, MAIL_PORT=port))
    assert body["checks"]["mail"] == {"status": "ok", "backend": "smtp"}
    assert inbox.messages == []  # the check talks to the server but sends nothing


@pytest.mark.postgres
def test_reachable_postgresql_is_ok():
    app = make_app(services.require_postgres())
    try:
        response, body = get_health(app)
        assert response.status_code == 200
        assert body["checks"]["database"] == {"status": "ok", "backend": "postgresql"}
    finally:
        reset_database(app)
