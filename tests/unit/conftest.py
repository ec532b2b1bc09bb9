"""Local fixtures for the unit tests."""

import pytest


@pytest.fixture
def request_ctx(any_db_app):
    """A request context on top of `any_db_app`, for code that calls `url_for`."""
    with any_db_app.test_request_context():
        yield any_db_app
