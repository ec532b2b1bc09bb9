"""Limits: body size, field lengths before the database, hostile usernames, page numbers, malformed JSON input."""

import json

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Message, Post, User
from tests.support.apps import IsolatedClient, make_app, pushed
from tests.support.auth import log_in
from tests.support.factories import DEFAULT_PASSWORD, PostFactory, UserFactory

# How the form macros mark a field with an error message.
FIELD_ERROR = 'class="invalid-feedback'


def api_token(client, username: str = "susan") -> dict:
    token = client.post("/api/tokens", auth=(username, DEFAULT_PASSWORD)).json["token"]
    return {"Authorization": f"Bearer {token}"}


def assert_json_error(response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.is_json, response.text
    assert response.json["error"] and response.json["message"]


# Request size


@pytest.fixture
def small_body_app():
    # The home page's form takes images, so its body limit is MAX_UPLOAD_LENGTH: small here too.
    yield from pushed(make_app(MAX_CONTENT_LENGTH=1024, MAX_UPLOAD_LENGTH=1024))


def test_an_oversized_form_gets_a_413_page(small_body_app):
    UserFactory(username="susan")
    client = log_in(small_body_app.test_client())
    response = client.post("/index", data={"post": "x" * 4000})
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "too large" in response.text
    assert 'class="navbar-brand"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(Post.id))) == 0
    anonymous = small_body_app.test_client()
    assert anonymous.post("/auth/login", data={"username": "x" * 4000, "password": "x"}).status_code == 413


def test_an_oversized_api_body_gets_a_413_json(small_body_app):
    UserFactory(username="susan")
    client = small_body_app.test_client()
    response = client.post("/api/posts", json={"body": "x" * 4000}, headers=api_token(client))
    assert_json_error(response, 413)
    assert_json_error(client.post("/api/users", json={"username": "x" * 4000}), 413)


# Field lengths, enforced before the database (PostgreSQL would raise on an over-long value).
# `any_db_app` is SQLite here; tests/integration/postgres/test_input_limits.py runs these tests on PostgreSQL.


@pytest.fixture
def db_app(any_db_app):
    any_db_app.test_client_class = IsolatedClient
    UserFactory(username="susan", email="susan@example.com")
    UserFactory(username="john", email="john@example.com")
    return any_db_app


LONG_FORMS = [
    (
        "/auth/register",
        {"username": "a" * 65, "email": "a@example.com", "password": "password1", "password2": "password1"},
    ),
    (
        "/auth/register",
        {"username": "fine", "email": "a" * 120 + "@example.com", "password": "password1", "password2": "password1"},
    ),
    ("/auth/register", {"username": "fine", "email": "f@example.com", "password": "p" * 129, "password2": "p" * 129}),
    ("/auth/reset_password_request", {"email": "a" * 200 + "@example.com"}),
    ("/auth/login", {"username": "a" * 65, "password": "x"}),
    ("/auth/login", {"username": "susan", "password": "p" * 129}),
]


@pytest.mark.parametrize("path,data", LONG_FORMS, ids=lambda value: value if isinstance(value, str) else "")
def test_over_long_auth_fields_get_a_form_error(db_app, path, data):
    users = db.session.scalar(sa.select(sa.func.count(User.id)))
    response = db_app.test_client().post(path, data=data)
    assert response.status_code == 200, response.status_code
    assert FIELD_ERROR in response.text
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == users


LONG_LOGGED_IN_FORMS = [
    ("/index", {"post": "é" * 141}),
    ("/edit_profile", {"username": "susan", "about_me": "é" * 141}),
    ("/edit_profile", {"username": "s" * 65, "about_me": ""}),
    ("/send_message/john", {"message": "é" * 141}),
]


@pytest.mark.parametrize("path,data", LONG_LOGGED_IN_FORMS, ids=lambda value: value if isinstance(value, str) else "")
def test_over_long_fields_get_a_form_error(db_app, path, data):
    client = log_in(db_app.test_client())
    response = client.post(path, data=data)
    assert response.status_code == 200, response.status_code
    assert FIELD_ERROR in response.text
    assert db.session.scalar(sa.select(sa.func.count(Post.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Message.id))) == 0
    assert db.session.scalar(sa.select(User.about_me).where(User.username == "susan")) is None


def test_a_full_length_multibyte_post_is_stored(db_app):
    client = log_in(db_app.test_client())
    assert client.post("/index", data={"post": "é" * 139 + "😀"}).status_code == 302
    assert db.session.scalar(sa.select(Post.body)) == "é" * 139 + "😀"


def test_over_long_search_terms_are_answered(db_app):
    client = log_in(db_app.test_client())
    assert client.get("/search?q=" + "a" * 5000).status_code == 200


API_LONG = [
    ("post", "/api/users", {"username": "a" * 65, "email": "a@example.com", "password": "pw"}),
    ("post", "/api/users", {"username": "ok", "email": "a" * 120 + "@example.com", "password": "pw"}),
    ("post", "/api/users", {"username": "ok", "email": "ok@example.com", "password": "pw", "about_me": "é" * 141}),
    ("put", "/api/users/1", {"about_me": "é" * 141}),
    ("put", "/api/users/1", {"username": "s" * 65}),
    ("post", "/api/posts", {"body": "é" * 141}),
    ("post", "/api/messages", {"recipient": "john", "body": "é" * 141}),
    ("post", "/api/messages", {"recipient": "j" * 65, "body": "hi"}),
    ("get", "/api/search?q=" + "a" * 201, None),
]


@pytest.mark.parametrize("method,path,body", API_LONG, ids=lambda value: value if isinstance(value, str) else "")
def test_over_long_api_fields_get_a_400(db_app, method, path, body):
    client = db_app.test_client()
    response = getattr(client, method)(path, json=body, headers=api_token(client))
    assert_json_error(response, 400)


# Hostile usernames

BAD_NAMES = {
    "null byte": "bad\x00name",
    "bell": "bad\x07name",
    "escape": "bad\x1bname",
    "zero-width space": "bad\u200bname",
    "right-to-left override": "bad\u202ename",
    "byte order mark": "\ufeffbadname",
    "soft hyphen": "bad\u00adname",
    "space": "bad name",
    "slash": "bad/name",
    "dots only": "..",
}


@pytest.mark.parametrize("name", BAD_NAMES.values(), ids=BAD_NAMES.keys())
def test_registration_refuses_control_and_invisible_characters(plain_app, name):
    response = plain_app.test_client().post(
        "/auth/register",
        data={"username": name, "email": "new@example.com", "password": "password1", "password2": "password1"},
    )
    assert response.status_code == 200
    assert "not allowed" in response.text or "Use only letters" in response.text
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


@pytest.mark.parametrize("name", BAD_NAMES.values(), ids=BAD_NAMES.keys())
def test_profile_edits_refuse_control_and_invisible_characters(plain_app, name):
    UserFactory(username="susan")
    client = log_in(plain_app.test_client())
    response = client.post("/edit_profile", data={"username": name, "about_me": ""})
    assert response.status_code == 200
    assert "not allowed" in response.text or "Use only letters" in response.text
    assert db.session.scalar(sa.select(User.username)) == "susan"


@pytest.mark.parametrize(
    "body",
    [
        b"username=bad%FF%FEname&email=new%40example.com&password=password1&password2=password1",
        b"username=bad\xff\xfename&email=new%40example.com&password=password1&password2=password1",
        b"username=%C0%AFname&email=new%40example.com&password=password1&password2=password1",
    ],
    ids=["percent-encoded", "raw", "overlong"],
)
def test_registration_refuses_invalid_utf8(plain_app, body):
    response = plain_app.test_client().post(
        "/auth/register", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in {200, 400}
    if response.status_code == 200:
        assert FIELD_ERROR in response.text
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


@pytest.mark.parametrize("name", BAD_NAMES.values(), ids=BAD_NAMES.keys())
def test_the_api_refuses_control_and_invisible_characters_in_usernames(plain_app, name):
    UserFactory(username="susan")
    client = plain_app.test_client()
    created = client.post("/api/users", json={"username": name, "email": "new@example.com", "password": "pw"})
    assert_json_error(created, 400)
    assert "username" in created.json["fields"]
    updated = client.put("/api/users/1", json={"username": name}, headers=api_token(client))
    assert_json_error(updated, 400)
    assert [user.username for user in db.session.scalars(sa.select(User))] == ["susan"]


def test_the_api_refuses_invalid_utf8(plain_app):
    client = plain_app.test_client()
    body = b'{"username": "bad\xff\xfename", "email": "new@example.com", "password": "pw"}'
    assert_json_error(client.post("/api/users", data=body, content_type="application/json"), 400)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


@pytest.mark.parametrize("path", ["/user/%FF%FE", "/user/bad%00name", "/user/bad%E2%80%AEname", "/search?q=%FF%00"])
def test_hostile_bytes_in_urls_are_answered(plain_app, path):
    UserFactory(username="susan")
    client = log_in(plain_app.test_client())
    assert client.get(path).status_code in {200, 404}


# Page numbers

PAGE_VALUES = ["99999999999999999999", "100001", "0", "-1", "abc", "1.5", "", "1e3", "%00", "%EF%BC%91", "2%0A", "NaN"]
SITE_LISTS = ["/index", "/explore", "/user/susan", "/messages", "/search?q=post"]
API_LISTS = [
    "/api/users",
    "/api/users/1/followers",
    "/api/users/1/following",
    "/api/users/1/posts",
    "/api/timeline",
    "/api/explore",
    "/api/messages",
    "/api/search?q=post",
]


@pytest.fixture
def lists_app(plain_app):
    susan = UserFactory(username="susan")
    for n in range(3):
        PostFactory(author=susan, body=f"post {n}")
    return plain_app


@pytest.mark.parametrize("value", PAGE_VALUES)
def test_site_lists_answer_any_page_number_without_an_error(lists_app, value):
    client = log_in(lists_app.test_client())
    for path in SITE_LISTS:
        url = f"{path}{'&' if '?' in path else '?'}page={value}"
        response = client.get(url)
        assert response.status_code in {200, 404}, f"{url}: {response.status_code}"
        assert response.mimetype == "text/html"


@pytest.mark.parametrize("value", PAGE_VALUES)
def test_api_lists_answer_any_page_number_without_an_error(lists_app, value):
    client = lists_app.test_client()
    headers = api_token(client)
    for path in API_LISTS:
        for name in ("page", "per_page"):
            url = f"{path}{'&' if '?' in path else '?'}{name}={value}"
            response = client.get(url, headers=headers)
            assert response.status_code in {200, 400, 404}, f"{url}: {response.status_code}"
            assert response.is_json


# Malformed input to the JavaScript endpoints

TRANSLATE_BODIES = {
    "no body": None,
    "invalid json": b"{",
    "null": b"null",
    "list": b"[]",
    "string": b'"hello"',
    "number": b"5",
    "empty object": b"{}",
    "null text": {"text": None, "source_language": "es", "dest_language": "en"},
    "numeric text": {"text": 5, "source_language": "es", "dest_language": "en"},
    "list text": {"text": ["hola"], "source_language": "es", "dest_language": "en"},
    "missing text": {"source_language": "es", "dest_language": "en"},
    "numeric source": {"text": "hola", "source_language": 5, "dest_language": "en"},
    "null destination": {"text": "hola", "source_language": "es", "dest_language": None},
    "list destination": {"text": "hola", "source_language": "es", "dest_language": ["en"]},
    "unknown destination": {"text": "hola", "source_language": "es", "dest_language": "xx"},
    "string post id": {"post_id": "1", "dest_language": "en"},
    "boolean post id": {"post_id": True, "dest_language": "en"},
    "float post id": {"post_id": 1.5, "dest_language": "en"},
    "negative post id": {"post_id": -1, "dest_language": "en"},
    "huge text": {"text": "a" * 1001, "source_language": "es", "dest_language": "en"},
}


@pytest.mark.parametrize("body", TRANSLATE_BODIES.values(), ids=TRANSLATE_BODIES.keys())
def test_translate_refuses_missing_null_or_mistyped_input(plain_app, body, monkeypatch):
    monkeypatch.setattr("app.translate.translate", lambda *args: pytest.fail("the translator was called"))
    monkeypatch.setattr("app.translate.translate_post", lambda *args: pytest.fail("the translator was called"))
    UserFactory(username="susan")
    client = log_in(plain_app.test_client())
    if isinstance(body, dict):
        response = client.post("/translate", json=body)
    else:
        response = client.post("/translate", data=body, content_type="application/json")
    assert_json_error(response, 400)


def test_translate_refuses_a_form_post(plain_app):
    UserFactory(username="susan")
    client = log_in(plain_app.test_client())
    response = client.post("/translate", data={"text": "hola", "source_language": "es", "dest_language": "en"})
    assert_json_error(response, 400)


@pytest.mark.parametrize("since", ["abc", "", "null", "nan", "NaN", "inf", "-inf", "1e999", "0x10", "[]", "%00"])
def test_notifications_refuse_a_malformed_since(plain_app, since):
    UserFactory(username="susan")
    client = log_in(plain_app.test_client())
    assert_json_error(client.get(f"/notifications?since={since}"), 400)


def test_notifications_without_since_list_everything(plain_app):
    susan = UserFactory(username="susan")
    susan.add_notification("unread_message_count", 2)
    db.session.commit()
    client = log_in(plain_app.test_client())
    response = client.get("/notifications")
    assert response.status_code == 200
    assert [item["name"] for item in response.json] == ["unread_message_count"]
    assert json.loads(response.text)[0]["data"] == 2
