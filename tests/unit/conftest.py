"""Local fixtures for the unit tests."""

import functools

import pytest
import werkzeug.security

# PyJWT warns (an error here) about HMAC keys under 32 bytes, and the shared TestConfig key is shorter.
LONG_SECRET_KEY = "unit-tests-secret-key-0123456789abcdef"


@pytest.fixture
def any_db_app(any_db_app):
    """The shared `any_db_app` (SQLite and PostgreSQL), with a full-length SECRET_KEY."""
    any_db_app.config["SECRET_KEY"] = LONG_SECRET_KEY
    return any_db_app


@pytest.fixture
def request_ctx(any_db_app):
    """A request context on top of `any_db_app`, for code that calls `url_for`."""
    with any_db_app.test_request_context():
        yield any_db_app


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """Hash passwords with a cheap scrypt cost: the default costs ~0.1 s per user, too slow for units."""
    monkeypatch.setattr(
        "app.models.user.generate_password_hash",
        functools.partial(werkzeug.security.generate_password_hash, method="scrypt:1024:8:1"),
    )
