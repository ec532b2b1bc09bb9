"""API fixtures: a token for a user, request helpers, and a SQL statement counter."""

import base64
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.factories import DEFAULT_PASSWORD, UserFactory


def basic(username: str, password: str = DEFAULT_PASSWORD) -> dict[str, str]:
    """Return an HTTP Basic Authorization header."""
    credentials = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}


def bearer(token: str) -> dict[str, str]:
    """Return a Bearer Authorization header."""
    return {"Authorization": f"Bearer {token}"}


def token_for(client, username: str, password: str = DEFAULT_PASSWORD) -> str:
    """Get a token through the API."""
    response = client.post("/api/tokens", headers=basic(username, password))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["token"]


def assert_error(response, status: int, reason: str) -> dict:
    """Assert a JSON error body of the API's single shape; return it."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] == reason
    assert isinstance(body["message"], str) and body["message"]
    return body


@pytest.fixture
def token(client, user) -> str:
    """A bearer token for `user` (susan)."""
    return token_for(client, "susan")


@pytest.fixture
def headers(token) -> dict[str, str]:
    """Authorization headers for `user` (susan)."""
    return bearer(token)


@pytest.fixture
def other():
    """A second user, 'bob'."""
    return UserFactory(username="bob", email="bob@example.com")


class QueryCounter:
    """Count the SQL statements the engine runs."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def counting_queries():
    """Yield a QueryCounter listening on the app's engine."""
    counter = QueryCounter()
    sa.event.listen(db.engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", counter)
