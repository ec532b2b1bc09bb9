"""Moderation rules: a suspended account's cookie and token fail, only moderators and administrators
reach their pages and actions, and a reported person never learns who reported them."""

import pytest
import sqlalchemy as sa

from app import moderation
from app.extensions import db
from app.models import Role, User, utcnow
from tests.security.test_sessions import is_logged_in, remember_cookie_of, remember_only_client
from tests.support.api import basic, bearer, token_for
from tests.support.auth import log_in
from tests.support.factories import DEFAULT_PASSWORD, PostFactory, UserFactory


@pytest.fixture
def people(plain_app):
    """susan (a plain user), john (reported), boss (an administrator) and one open report of john's post."""
    susan = UserFactory(username="susan")
    john = UserFactory(username="john")
    boss = UserFactory(username="boss", role=Role.ADMINISTRATOR)
    post = PostFactory(author=john, body="a post to report")
    report = moderation.report_post(susan, post, "spam", "reported by a careful reader")
    db.session.commit()
    return {"susan": susan, "john": john, "boss": boss, "post": post.id, "report": report.id}


def test_a_suspended_accounts_cookies_and_token_stop_working(plain_app, people):
    john = people["john"]
    browser = log_in(plain_app.test_client(), "john", remember_me="y")
    remember = remember_cookie_of(browser)
    token = token_for(plain_app.test_client(), "john")
    # Set directly, without ending the sessions: the user loader and the token check refuse it themselves.
    db.session.get(User, john.id).suspended_at = utcnow()
    db.session.commit()
    assert not is_logged_in(browser)
    assert not is_logged_in(remember_only_client(plain_app, remember))
    api = plain_app.test_client()
    assert api.get("/api/timeline", headers=bearer(token)).status_code == 401
    refused = api.post("/api/tokens", headers=basic("john"))
    assert refused.status_code == 403 and "suspended" in refused.get_json()["message"]


def test_suspending_ends_the_sessions_and_revokes_the_token_for_good(plain_app, people):
    john, boss = people["john"], people["boss"]
    token = token_for(plain_app.test_client(), "john")
    moderation.suspend(john, boss, "spam")
    db.session.commit()
    moderation.lift_suspension(john, boss, "appeal")
    db.session.commit()
    # Lifted, the account signs in again, but what it held before the suspension stays dead.
    assert plain_app.test_client().get("/api/timeline", headers=bearer(token)).status_code == 401
    assert is_logged_in(log_in(plain_app.test_client(), "john"))


def moderation_requests(people) -> list[tuple[str, str]]:
    """Every moderation and administration page and action, as (method, path)."""
    report, john = people["report"], people["john"].id
    return [
        ("GET", "/moderation"),
        ("GET", "/moderation?order=newest"),
        ("GET", "/moderation/suspended"),
        ("POST", f"/moderation/reports/{report}/dismiss"),
        ("POST", f"/moderation/reports/{report}/delete_post"),
        ("POST", f"/moderation/reports/{report}/suspend"),
        ("POST", f"/moderation/users/{john}/lift_suspension"),
        ("GET", "/admin"),
        ("GET", "/admin/audit"),
        ("GET", "/admin/users/john/edit"),
        ("POST", "/admin/users/john/edit"),
        ("POST", f"/settings/users/{john}/delete"),
    ]


def test_a_plain_user_gets_403_on_every_moderation_page_and_action(plain_app, people):
    client = log_in(plain_app.test_client(), "susan")
    data = {"why": "because", "username": "hacked", "email": "h@example.com", "role": "administrator"}
    for method, path in moderation_requests(people):
        response = client.open(path, method=method, data=data if method == "POST" else None)
        assert response.status_code == 403, (method, path, response.status_code)
    db.session.expire_all()
    john = db.session.get(User, people["john"].id)
    assert (john.username, john.suspended_at) == ("john", None)
    assert db.session.scalar(sa.text("SELECT count(*) FROM audit_entry")) == 0


def test_a_moderator_gets_403_on_the_administrators_pages(plain_app, people):
    UserFactory(username="mod", role=Role.MODERATOR)
    client = log_in(plain_app.test_client(), "mod")
    for method, path in moderation_requests(people):
        if path.startswith(("/admin", "/settings")):
            assert client.open(path, method=method).status_code == 403, (method, path)


def test_the_reported_person_never_sees_who_reported_them(plain_app, people):
    client = log_in(plain_app.test_client(), "john")
    pages = ["/index", "/explore", "/activity", f"/post/{people['post']}", "/user/john", "/messages"]
    for path in pages:
        page = client.get(path).text
        assert "reported by a careful reader" not in page and "susan" not in page, path
    headers = bearer(token_for(client, "john", DEFAULT_PASSWORD))
    for path in (
        "/api/activity",
        "/api/notifications",
        f"/api/users/{people['john'].id}",
        f"/api/posts/{people['post']}",
    ):
        body = client.get(path, headers=headers).get_data(as_text=True)
        assert "susan" not in body and "careful reader" not in body, path
