"""Fixtures for the view tests (Flask test client)."""

import pytest

from tests.support.auth import signed_in
from tests.support.factories import DEFAULT_PASSWORD, UserFactory


@pytest.fixture
def john(app):
    """A second saved user, 'john'."""
    return UserFactory(username="john", email="john@example.com")


@pytest.fixture
def csrf_enabled(app):
    """Turn global CSRF protection on for this test (the shared config turns it off)."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def client_as(app):
    """Return a function that gives a fresh client logged in as `username`."""

    def login(username: str, password: str = DEFAULT_PASSWORD):
        return signed_in(app, username, password)

    return login
