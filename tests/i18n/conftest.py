"""Fixtures for the i18n tests: compiled catalogues, and an app that picks each request's locale afresh.

The fake translation services (`microsoft_service`, `libretranslate_service`) are in tests/conftest.py,
as the browser tests in tests/e2e use them too.
"""

import pytest
from flask_babel import refresh

from app.extensions import db
from tests.support.apps import make_app


@pytest.fixture(autouse=True)
def _catalogues(compiled_catalogues) -> None:
    """Every test here reads the built .mo catalogues."""


@pytest.fixture
def app():
    """Like the shared `app` fixture, but each request picks its locale afresh.

    The shared fixture holds an app context open, so every test-client request reuses it and its `g`,
    where Flask-Babel caches the locale of the first request. A real server has one context per request.
    """
    app = make_app()
    app.before_request_funcs.setdefault(None, []).insert(0, refresh)
    with app.app_context():
        yield app
        db.session.remove()
