"""The X-Query-Count header used by the benchmark (bench/run.py)."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.support.apps import make_app, reset_database
from tests.support.auth import log_in
from tests.support.factories import PostFactory, UserFactory


@pytest.fixture
def counting_app():
    app = make_app(QUERY_COUNT_HEADER=True)
    with app.app_context():
        yield app
        db.session.remove()
    reset_database(app)


def test_header_absent_by_default(app, client):
    UserFactory(username="susan", password="cat")
    log_in(client, "susan", "cat")
    response = client.get("/explore")
    assert response.status_code == 200
    assert "X-Query-Count" not in response.headers


def test_header_counts_every_statement_of_the_request(counting_app):
    susan = UserFactory(username="susan", password="cat")
    PostFactory.create_batch(3, author=susan)
    client = counting_app.test_client()
    log_in(client, "susan", "cat")

    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get("/explore")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)

    assert response.status_code == 200
    assert int(response.headers["X-Query-Count"]) == len(statements) > 0


def test_header_restarts_at_zero_for_each_request(counting_app):
    client = counting_app.test_client()
    # The login form runs no SQL for an anonymous visitor, however many requests came before.
    for _ in range(2):
        response = client.get("/auth/login")
        assert response.status_code == 200
        assert response.headers["X-Query-Count"] == "0"
