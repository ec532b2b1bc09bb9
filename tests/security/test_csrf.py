"""CSRF: every state-changing request needs the token, forms and JavaScript alike; GET changes nothing."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Post, User
from tests.support.auth import signed_in
from tests.support.factories import MessageFactory, PostFactory, UserFactory
from tests.support.pages import csrf_token_from

CSRF_MESSAGE = "the form was not sent from this site"


def database_snapshot() -> dict[str, list[tuple]]:
    """Return every row of every table, to prove a request changed nothing."""
    db.session.expire_all()
    return {
        table.name: sorted(tuple(map(repr, row)) for row in db.session.execute(sa.select(table)))
        for table in db.metadata.sorted_tables
    }


@pytest.fixture
def world(secure_app):
    """Susan (following john, with a post and a message) and john; return the URL values for routes."""
    susan = UserFactory(username="susan", email="susan@example.com")
    john = UserFactory(username="john", email="john@example.com")
    susan.follow(john)
    post = PostFactory(author=susan, body="susan's post")
    MessageFactory(author=john, recipient=susan, body="hello susan")
    db.session.commit()
    return {
        "username": "john",
        "recipient": "john",
        "id": post.id,
        "code": "es",
        "token": susan.get_reset_password_token(),
    }


def site_post_rules(app) -> list:
    """Return the URL rules of the site (not the token-authenticated API) that accept POST."""
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if "POST" in rule.methods and not rule.rule.startswith("/api") and rule.endpoint != "static"
        ),
        key=lambda rule: rule.rule,
    )


def build_url(app, rule, values: dict) -> str:
    """Return the path of `rule` with every argument filled from `values`."""
    unknown = set(rule.arguments) - set(values)
    assert not unknown, f"{rule.rule}: add a value for {unknown} to the `world` fixture"
    with app.test_request_context():
        return app.url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})


def test_the_site_has_the_post_routes_we_expect(secure_app):
    endpoints = {rule.endpoint for rule in site_post_rules(secure_app)}
    # A sanity check that the enumeration below really covers forms of both blueprints.
    assert {"main.index", "main.follow", "main.delete_post", "auth.login", "auth.logout"} <= endpoints


@pytest.mark.parametrize("signed", [True, False], ids=["logged-in", "anonymous"])
def test_every_post_route_without_a_token_is_refused_and_changes_nothing(secure_app, world, signed):
    client = signed_in(secure_app) if signed else secure_app.test_client()
    client.get("/index")  # settle `last_seen` before the snapshot
    form = {
        "post": "forged post",
        "username": "mallory",
        "email": "mallory@example.com",
        "password": "new password 123",
        "password2": "new password 123",
        "about_me": "forged",
        "message": "forged message",
        "next": "/explore",
        "submit": "Submit",
    }
    before = database_snapshot()
    rules = site_post_rules(secure_app)
    for rule in rules:
        url = build_url(secure_app, rule, world)
        for kwargs in ({"data": form}, {"json": {"text": "hola", "source_language": "es", "dest_language": "en"}}):
            response = client.post(url, **kwargs)
            assert response.status_code == 400, f"POST {url}: {response.status_code}"
            assert CSRF_MESSAGE in response.text, url
        assert database_snapshot() == before, f"POST {url} without a CSRF token changed the database"
    if signed:
        assert client.get("/index").status_code == 200, "a forged logout must not sign the user out"


def test_a_wrong_or_foreign_token_is_refused(secure_app, world):
    susan = signed_in(secure_app)
    other = secure_app.test_client()
    foreign_token = csrf_token_from(other.get("/auth/login").text)
    before = database_snapshot()
    for token in ("", "not-a-token", foreign_token):
        response = susan.post("/index", data={"post": "forged", "csrf_token": token})
        assert response.status_code == 400
    assert database_snapshot() == before


def test_forms_with_the_token_work(secure_app, world):
    client = signed_in(secure_app)
    token = csrf_token_from(client.get("/index").text)
    response = client.post("/index", data={"post": "a real post", "csrf_token": token})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Post).where(Post.body == "a real post")) is not None


def test_translate_accepts_the_header_token_and_refuses_without(secure_app, world, monkeypatch):
    calls = []
    monkeypatch.setattr("app.translate.translate", lambda text, src, dest: calls.append(text) or "hello")
    client = signed_in(secure_app)
    token = csrf_token_from(client.get("/index").text)
    body = {"text": "hola", "source_language": "es", "dest_language": "en"}
    headers = {"Accept": "application/json"}

    refused = client.post("/translate", json=body, headers=headers)
    assert refused.status_code == 400
    assert refused.is_json and refused.json["error"] == "Bad Request"
    wrong = client.post("/translate", json=body, headers={**headers, "X-CSRFToken": "forged"})
    assert wrong.status_code == 400
    assert calls == []

    accepted = client.post("/translate", json=body, headers={**headers, "X-CSRFToken": token})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json == {"text": "hello"}
    assert calls == ["hola"]


def test_the_api_ignores_session_cookies_so_it_needs_no_csrf_token(secure_app, world):
    client = signed_in(secure_app)
    before = database_snapshot()
    response = client.post("/api/posts", json={"body": "forged through the cookie"})
    assert response.status_code == 401
    assert database_snapshot() == before


def test_post_only_routes_answer_get_with_405(secure_app, world):
    client = signed_in(secure_app)
    before = database_snapshot()
    post_only = [rule for rule in site_post_rules(secure_app) if "GET" not in rule.methods]
    assert {rule.endpoint for rule in post_only} >= {"main.export_posts", "main.follow", "main.unfollow"}
    for rule in post_only:
        url = build_url(secure_app, rule, world)
        response = client.get(url)
        assert response.status_code == 405, url
        assert "POST" in response.headers["Allow"]
    assert client.get("/export_posts").status_code == 405
    assert client.get("/follow/john").status_code == 405
    assert database_snapshot() == before


def test_get_on_form_pages_changes_nothing(secure_app, world):
    client = signed_in(secure_app)
    client.get("/index")
    before = database_snapshot()
    client.get("/index?post=sneaky")
    client.get("/edit_profile?username=mallory&about_me=sneaky")
    client.get("/send_message/john?message=sneaky")
    client.get(f"/auth/reset_password/{world['token']}?password=sneaky12&password2=sneaky12")
    assert database_snapshot() == before


def test_get_logout_shows_a_button_and_keeps_you_logged_in(secure_app, world):
    client = signed_in(secure_app)
    page = client.get("/auth/logout")
    assert page.status_code == 200
    assert 'method="post"' in page.text.lower()
    assert client.get("/index").status_code == 200
    version = db.session.scalar(sa.select(User.session_version).where(User.username == "susan"))
    token = csrf_token_from(client.get("/index").text)
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/index").status_code == 302
    assert db.session.scalar(sa.select(User.session_version).where(User.username == "susan")) == version + 1
