"""Fixtures for the security tests: apps with CSRF on, off, or with rate limits, each on a fresh database."""

import pytest

from tests.support.apps import make_app, pushed


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
