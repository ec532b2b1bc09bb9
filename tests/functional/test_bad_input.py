"""Hostile, odd and oversized input in every form field: form errors, never a 500; always escaped."""

from urllib.parse import quote

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Message, Post, User
from tests.support.apps import count_rows
from tests.support.factories import DEFAULT_PASSWORD, MessageFactory, PostFactory

XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
NOT_ALLOWED = "This text contains characters that are not allowed."
REQUIRED = "This field is required."
MIXED_SCRIPTS = "Hi 👋🏽 مرحبا بالعالم · שלום עולם · 你好世界 · café ñ"
RTL = "مرحبا، كيف حالك اليوم؟ 🌙"
IMG_XSS = "<img src=x onerror=alert(1)>"
IMG_XSS_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def register_data(**overrides) -> dict:
    data = {"username": "alice", "email": "alice@example.com", "password": "s3cret pass", "password2": "s3cret pass"}
    return {**data, **overrides}


def assert_escaped(html: str, raw: str = XSS, escaped: str = XSS_ESCAPED) -> None:
    """Check that user text shows up escaped and never as live markup."""
    assert raw not in html
    assert escaped in html


def state() -> tuple:
    """Return row counts and the users' editable fields, to prove nothing changed."""
    users = db.session.execute(sa.select(User.username, User.email, User.about_me).order_by(User.id)).all()
    return count_rows(Post), count_rows(Message), tuple(users)


# Every field, through its form: (url, valid data, field under test)
FORMS = {
    "register.username": ("/auth/register", register_data(), "username"),
    "register.email": ("/auth/register", register_data(), "email"),
    "reset_request.email": ("/auth/reset_password_request", {"email": "susan@example.com"}, "email"),
    "post": ("/index", {"post": "hello"}, "post"),
    "edit_profile.username": ("/edit_profile", {"username": "susan", "about_me": ""}, "username"),
    "edit_profile.about_me": ("/edit_profile", {"username": "susan", "about_me": "bio"}, "about_me"),
    "message": ("/send_message/john", {"message": "hello"}, "message"),
}
ANONYMOUS_FORMS = {"register.username", "register.email", "reset_request.email"}


@pytest.fixture(params=sorted(FORMS))
def form_field(request, app, user, john, client_as):
    """Yield (client, url, valid data, field) for each text field of the site."""
    name = request.param
    url, data, field = FORMS[name]
    client = app.test_client() if name in ANONYMOUS_FORMS else client_as("susan")
    return client, url, dict(data), field


@pytest.mark.parametrize(
    "bad",
    ["nul\x00byte", "\x00", "bell\x07", "esc\x1b[31m", "del\x7f", "private\ue000use"],
    ids=["null-inside", "null-only", "bell", "escape", "delete", "private-use"],
)
def test_control_characters_are_form_errors(form_field, bad):
    client, url, data, field = form_field
    before = state()
    response = client.post(url, data={**data, field: bad})
    assert response.status_code == 200
    assert NOT_ALLOWED in response.text
    assert state() == before


def test_huge_value_is_form_error_not_500(form_field):
    client, url, data, field = form_field
    before = state()
    response = client.post(url, data={**data, field: "w" * 100_000})
    assert response.status_code == 200
    assert 'class="invalid-feedback' in response.text
    assert state() == before


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("register.username", "u" * 65, "Field cannot be longer than 64 characters."),
        ("register.email", "e" * 110 + "@example.com", "Field cannot be longer than 120 characters."),
        ("reset_request.email", "e" * 110 + "@example.com", "Field cannot be longer than 120 characters."),
        ("post", "p" * 141, "Field must be between 1 and 140 characters long."),
        ("edit_profile.username", "u" * 65, "Field cannot be longer than 64 characters."),
        ("edit_profile.about_me", "a" * 141, "Field must be between 0 and 140 characters long."),
        ("message", "m" * 141, "Field must be between 1 and 140 characters long."),
    ],
)
def test_one_char_over_the_limit_is_form_error(app, user, john, client_as, name, value, error):
    url, data, field = FORMS[name]
    client = app.test_client() if name in ANONYMOUS_FORMS else client_as("susan")
    before = state()
    response = client.post(url, data={**data, field: value})
    assert response.status_code == 200
    assert error in response.text
    assert state() == before


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/auth/register", "username"),
        ("/auth/register", "email"),
        ("/auth/register", "password"),
        ("/auth/register", "password2"),
        ("/auth/login", "username"),
        ("/auth/login", "password"),
        ("/auth/reset_password_request", "email"),
    ],
)
def test_empty_required_auth_field_is_form_error(client, user, url, field):
    data = {**register_data(), "username": "susan" if url == "/auth/login" else "alice"}
    response = client.post(url, data={**data, field: ""})
    assert response.status_code == 200
    assert REQUIRED in response.text
    assert count_rows(User) == 1


@pytest.mark.parametrize(("url", "field"), [("/index", "post"), ("/send_message/john", "message")])
def test_empty_or_missing_text_is_form_error(logged_in, john, url, field):
    for data in ({field: ""}, {}):
        response = logged_in.post(url, data=data)
        assert response.status_code == 200
        assert REQUIRED in response.text
    assert count_rows(Post) + count_rows(Message) == 0


@pytest.mark.parametrize("field", ["password", "password2"])
def test_over_long_password_is_form_error(client, field):
    response = client.post("/auth/register", data=register_data(**{field: "p" * 129}))
    assert response.status_code == 200
    assert count_rows(User) == 0


def test_login_with_over_long_or_odd_credentials_is_refused_not_500(client, user):
    for data in (
        {"username": "s" * 65, "password": DEFAULT_PASSWORD},
        {"username": "susan", "password": "p" * 129},
        {"username": "su\x00san", "password": DEFAULT_PASSWORD},
        {"username": "susan", "password": "pass\x00word"},
    ):
        response = client.post("/auth/login", data=data)
        assert response.status_code in (200, 302)
        assert client.get("/index").status_code == 302


def test_reset_password_with_null_byte_is_handled(client, user):
    token = user.get_reset_password_token()
    response = client.post(
        f"/auth/reset_password/{token}", data={"password": "new\x00password", "password2": "new\x00password"}
    )
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("path", ["/user/su%00san", "/user/su%00san/popup", "/send_message/%00", "/user/%C0%AE"])
def test_odd_bytes_in_urls_are_404(logged_in, path):
    assert logged_in.get(path).status_code == 404


# Unicode round-trips


def test_post_with_emoji_and_rtl_round_trips(logged_in):
    logged_in.post("/index", data={"post": MIXED_SCRIPTS})
    assert db.session.scalar(sa.select(Post.body)) == MIXED_SCRIPTS
    for path in ("/index", "/explore", "/user/susan"):
        assert MIXED_SCRIPTS in logged_in.get(path).text


def test_post_keeps_inner_line_breaks(logged_in):
    logged_in.post("/index", data={"post": "line one\nline two"})
    assert db.session.scalar(sa.select(Post.body)) == "line one\nline two"


def test_about_me_with_emoji_and_rtl_round_trips(logged_in, user):
    logged_in.post("/edit_profile", data={"username": "susan", "about_me": RTL})
    db.session.refresh(user)
    assert user.about_me == RTL
    for path in ("/user/susan", "/user/susan/popup", "/edit_profile"):
        assert RTL in logged_in.get(path).text


def test_message_with_emoji_and_rtl_round_trips(logged_in, user, john, client_as):
    logged_in.post("/send_message/john", data={"message": MIXED_SCRIPTS})
    assert db.session.scalar(sa.select(Message.body)) == MIXED_SCRIPTS
    assert MIXED_SCRIPTS in client_as("john").get("/messages").text


@pytest.mark.parametrize("name", ["Zoë_名前-ok.1", "مستخدم", "Ωmega"])
def test_unicode_username_registers_logs_in_and_has_a_profile(client, client_as, name):
    response = client.post("/auth/register", data=register_data(username=name))
    assert response.status_code == 302
    user_client = client_as(name, "s3cret pass")
    profile = user_client.get(f"/user/{quote(name)}")
    assert profile.status_code == 200
    assert name in profile.text
    assert f'href="/user/{quote(name)}"' in profile.text


# Script injection is escaped everywhere


def test_script_in_post_is_escaped_on_every_page(logged_in, user, john, client_as):
    logged_in.post("/index", data={"post": XSS})
    assert db.session.scalar(sa.select(Post.body)) == XSS
    for path in ("/index", "/explore", "/user/susan"):
        assert_escaped(logged_in.get(path).text)
    john_client = client_as("john")
    john_client.post("/follow/susan")
    assert_escaped(john_client.get("/index").text)


def test_script_in_about_me_is_escaped_on_every_page(logged_in, user):
    logged_in.post("/edit_profile", data={"username": "susan", "about_me": XSS})
    db.session.refresh(user)
    assert user.about_me == XSS
    for path in ("/user/susan", "/user/susan/popup", "/edit_profile"):
        assert_escaped(logged_in.get(path).text)


def test_quote_breakout_in_about_me_is_escaped(logged_in):
    breakout = '"></textarea><script>alert(1)</script>'
    logged_in.post("/edit_profile", data={"username": "susan", "about_me": breakout})
    html = logged_in.get("/edit_profile").text
    assert "</textarea><script>" not in html
    assert "&#34;&gt;&lt;/textarea&gt;&lt;script&gt;" in html


def test_script_in_message_is_escaped(logged_in, john, client_as):
    logged_in.post("/send_message/john", data={"message": XSS})
    assert db.session.scalar(sa.select(Message.body)) == XSS
    assert_escaped(client_as("john").get("/messages").text)


def test_script_in_stored_text_is_escaped_even_when_saved_directly(logged_in, user, john):
    john.about_me = XSS
    PostFactory(author=john, body=XSS)
    MessageFactory(author=john, recipient=user, body=XSS)
    db.session.commit()
    for path in ("/explore", "/user/john", "/user/john/popup", "/messages"):
        assert_escaped(logged_in.get(path).text)


@pytest.mark.parametrize("url", ["/auth/register", "/auth/login"])
def test_script_as_username_is_refused_and_echo_escaped(client, url):
    response = client.post(url, data=register_data(username=XSS))
    assert response.status_code in (200, 302)
    if url == "/auth/register":
        assert "Use only letters, digits, underscores, dots and hyphens." in response.text
        assert_escaped(response.text)
    assert count_rows(User) == 0


def test_script_as_new_username_is_refused_and_echo_escaped(logged_in, user):
    response = logged_in.post("/edit_profile", data={"username": IMG_XSS, "about_me": ""})
    assert response.status_code == 200
    assert "Use only letters, digits, underscores, dots and hyphens." in response.text
    assert_escaped(response.text, IMG_XSS, IMG_XSS_ESCAPED)
    db.session.refresh(user)
    assert user.username == "susan"


def test_markup_in_unknown_follow_target_is_escaped_in_flash(logged_in):
    response = logged_in.post(f"/follow/{quote(IMG_XSS)}", follow_redirects=True)
    assert response.status_code == 200
    assert f"User {IMG_XSS_ESCAPED} not found." in response.text
    assert IMG_XSS not in response.text


def test_markup_in_url_is_not_reflected_on_404(logged_in):
    response = logged_in.get(f"/user/{quote(IMG_XSS)}")
    assert response.status_code == 404
    assert IMG_XSS not in response.text
