"""Fixtures every folder uses: apps on the folder's database, clients, a saved and a logged-in user.

The helpers they build on are in tests/support; this file holds fixtures only.
"""

import functools

import pytest
import werkzeug.security

from app.extensions import db
from tests.support.apps import make_app, reset_database
from tests.support.auth import AuthActions
from tests.support.factories import UserFactory
from tests.support.i18n import compile_catalogues
from tests.support.translators import fake_service, libretranslate_reply, microsoft_reply


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """Hash new passwords with a cheap scrypt cost: the default (~0.1 s a hash) would dominate the suite.

    Checking still reads the method from the stored hash, so the app's own code path is exercised.
    """
    monkeypatch.setattr(
        "app.models.user.generate_password_hash",
        functools.partial(werkzeug.security.generate_password_hash, method="scrypt:1024:8:1"),
    )


@pytest.fixture
def app():
    """An app on a fresh in-memory SQLite database, inside an app context."""
    app = make_app()
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def database_url() -> str:
    """The database `any_db_app` runs on: SQLite here; tests/integration/postgres overrides it with PostgreSQL."""
    return "sqlite://"


@pytest.fixture
def any_db_app(database_url):
    """The app on this folder's database (`database_url`), for the suites that also run on PostgreSQL."""
    app = make_app(database_url)
    with app.app_context():
        yield app
    reset_database(app)


@pytest.fixture
def request_ctx(any_db_app):
    """A request context on top of `any_db_app`, for code that calls `url_for`."""
    with any_db_app.test_request_context():
        yield any_db_app


@pytest.fixture
def uploads(tmp_path):
    """The folder the media tests' apps keep their image files in (this test's own)."""
    return tmp_path / "uploads"


@pytest.fixture
def media_app(uploads):
    """An app like `app`, whose image files go to `uploads` (app.media's local storage)."""
    app = make_app(UPLOAD_DIR=str(uploads))
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def user(app):
    """A saved user called 'susan' with the default password."""
    return UserFactory(username="susan", email="susan@example.com")


@pytest.fixture
def logged_in(client, auth, user):
    """A client logged in as `user`."""
    response = auth.login("susan")
    assert response.status_code == 302
    return client


# Used by the i18n tests and the browser tests in tests/e2e.


@pytest.fixture(scope="session")
def compiled_catalogues() -> None:
    """Make sure the .mo catalogues are built and up to date."""
    compile_catalogues()


@pytest.fixture
def microsoft_service():
    """A fake Microsoft Translator on a free local port."""
    with fake_service(microsoft_reply) as service:
        yield service


@pytest.fixture
def libretranslate_service():
    """A fake LibreTranslate server on a free local port."""
    with fake_service(libretranslate_reply) as service:
        yield service
