"""Round trips to PostgreSQL per request, counted from the server's own statement log.

Every page pays for each statement twice over: the network wait, then the server's work. A read-only
page sends at most three statements, transaction control and pings included; a form post at most five.
"""

import pytest

from app import conversations
from app.extensions import db
from config import Config
from tests.support.apps import make_app, pushed
from tests.support.auth import log_in
from tests.support.factories import UserFactory
from tests.support.statement_log import StatementLog

pytestmark = pytest.mark.postgres

# Statements per page: the target is three (the reader with the layout's figures, the page's total, its
# posts). Pages above it name what else they read; lowering a budget here is progress, raising one a regression.
GET_PAGE_BUDGETS = {
    "/index": 3,  # the reader, the timeline's size (which picks the query's shape), the posts
    "/index?page=2": 3,
    "/explore": 3,  # the reader, the posts (with the reader's likes and reposts), trending tags
    "/user/ann": 3,  # the reader, the profile's user (with blocks, mutes and the follow), the posts
    "/post/{first}": 3,  # the reader, the post (with the reader's likes, reposts and names), the replies (the same)
    "/post/{reply}": 3,  # another's reply: its chain up the thread comes in the post's statement
    "/tag/lighthouses": 3,
    "/activity": 3,  # the reader, the entries with their total (marking them read writes only when some were unread)
    "/messages": 3,
    "/search?q=lighthouses": 3,
    "/user/ann/popup": 3,
    "/notifications?since=0": 3,
}
FORM_POST_BUDGET = 5


@pytest.fixture
def logged_postgres(pg_scratch):
    """An app on a scratch PostgreSQL database with production engine options; yield (app, log)."""
    url = pg_scratch()
    log = StatementLog(url)
    app = make_app(url, SQLALCHEMY_ENGINE_OPTIONS=Config.SQLALCHEMY_ENGINE_OPTIONS)
    try:
        for pushed_app in pushed(app):
            yield pushed_app, log
    finally:
        with app.app_context():
            db.engine.dispose()
        log.close()


def seed_conversation():
    """Susan follows Ann, who wrote more than a page of posts and replied to Susan's first."""
    susan = UserFactory(username="susan", email="susan@example.com")
    ann = UserFactory(username="ann", email="ann@example.com")
    susan.follow(ann)
    for n in range(30):
        conversations.publish(ann, f"ann's post number {n}", "en")
    first = conversations.publish(susan, "a first post about #lighthouses", "en")
    reply = conversations.publish(ann, "@susan a reply to it", "en", in_reply_to=first)
    db.session.commit()
    return first, reply


def statements_of(log, client, method: str, path: str, **kwargs) -> list[str]:
    """Send one request (after a warm-up of the same one); return what the database received for it."""
    getattr(client, method)(path, **kwargs)
    with log.watch() as statements:
        response = getattr(client, method)(path, **kwargs)
    assert response.status_code in (200, 302), (path, response.status_code)
    return statements


@pytest.mark.parametrize("path", GET_PAGE_BUDGETS)
def test_a_page_costs_its_round_trips_and_no_transaction(logged_postgres, path):
    app, log = logged_postgres
    first, reply = seed_conversation()
    browser = log_in(app.test_client())
    statements = statements_of(log, browser, "get", path.format(first=first.id, reply=reply.id))
    assert statements, "the statement log recorded nothing: is log_statement honoured?"
    assert not [sql for sql in statements if sql.startswith(("BEGIN", "ROLLBACK", "COMMIT", ";"))], statements
    assert len(statements) <= GET_PAGE_BUDGETS[path], [sql[:60] for sql in statements]


def test_a_form_post_costs_at_most_five_round_trips(logged_postgres):
    app, log = logged_postgres
    seed_conversation()
    browser = log_in(app.test_client())
    browser.get("/index")
    statements = statements_of(log, browser, "post", "/index", data={"post": "counted on its way in"})
    assert any(sql.startswith("INSERT INTO post") for sql in statements), statements
    assert statements[0].startswith("BEGIN") and statements[-1] == "COMMIT", statements
    assert len(statements) <= FORM_POST_BUDGET, [sql[:60] for sql in statements]
