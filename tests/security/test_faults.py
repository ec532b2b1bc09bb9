"""Faults: a mail server that is down (nothing listens on its port).

The database that goes away and comes back (PostgreSQL behind a proxy) is in tests/integration/test_database_outage.py.
"""

import logging

import pytest

from app.extensions import db
from app.models import User
from tests.support.apps import make_app, pushed
from tests.support.factories import UserFactory
from tests.support.live_server import free_port


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
