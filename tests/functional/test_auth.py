"""Registration, login, logout and password reset through the real forms."""

import re

import pytest

from app.auth.forms import RegistrationForm
from app.extensions import db, mail
from app.models import User
from tests.support.apps import count_rows
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.pages import csrf_token_from, is_site_layout, login_redirect_next

NEW_PASSWORD = "a brand new passphrase"


def register(client, username="alice", email="alice@example.com", password="s3cret pass", password2=None):
    """Post the registration form."""
    data = {"username": username, "email": email, "password": password, "password2": password2 or password}
    return client.post("/auth/register", data=data)


def is_logged_in(client) -> bool:
    """Return whether the client's session can open the home page."""
    return client.get("/index").status_code == 200


def request_reset(client, email: str):
    """Ask for a reset link; return (response, captured emails)."""
    with mail.record_messages() as outbox:
        response = client.post("/auth/reset_password_request", data={"email": email})
    return response, outbox


def flashes(html: str) -> list[str]:
    """Return the texts of the flashed alerts on a page."""
    return [text.strip() for text in re.findall(r'<div class="alert alert-\w+" role="alert">(.*?)</div>', html, re.S)]


def reset_path_from(message) -> str:
    """Return the local path of the reset link in an email's text body."""
    match = re.search(r"https?://[^/\s]+(/auth/reset_password/\S+)", message.body)
    assert match, message.body
    return match.group(1)


# Registration


def test_register_page_shows_every_field(client):
    response = client.get("/auth/register")
    assert response.status_code == 200
    for name in ("username", "email", "password", "password2", "csrf_token"):
        assert f'name="{name}"' in response.text


def test_register_creates_user_and_redirects_to_login(client):
    response = register(client, email="Alice@Example.com")
    assert response.status_code == 302
    assert response.location == "/auth/login"
    user = db.session.scalar(User.by_username("alice"))
    assert user is not None
    assert user.email == "alice@example.com"
    assert user.check_password("s3cret pass")
    assert "s3cret pass" not in (user.password_hash or "")


def test_registered_user_can_log_in(client):
    register(client)
    response = client.post("/auth/login", data={"username": "alice", "password": "s3cret pass"})
    assert response.status_code == 302
    assert is_logged_in(client)


def test_register_password_mismatch_is_form_error(client):
    response = register(client, password="s3cret pass", password2="other pass")
    assert response.status_code == 200
    assert "Passwords must match." in response.text
    assert count_rows(User) == 0


def test_register_short_password_is_form_error(client):
    response = register(client, password="short")
    assert response.status_code == 200
    assert "Field must be between 8 and 128 characters long." in response.text
    assert count_rows(User) == 0


@pytest.mark.parametrize("username", ["SUSAN", "Susan", "susan"])
def test_register_taken_username_in_any_case_is_form_error(client, user, username):
    response = register(client, username=username, email="other@example.com")
    assert response.status_code == 200
    assert "Please use a different username." in response.text
    assert count_rows(User) == 1


@pytest.mark.parametrize("email", ["SUSAN@example.com", "susan@EXAMPLE.COM", " susan@example.com "])
def test_register_taken_email_in_any_case_is_form_error(client, user, email):
    response = register(client, username="newcomer", email=email)
    assert response.status_code == 200
    assert "Please use a different email address." in response.text
    assert count_rows(User) == 1


@pytest.mark.parametrize("username", ["bad name", "a/b", "semi;colon", "at@sign", "tab\tname", "quote'd", ".", ".."])
def test_register_username_with_forbidden_characters_is_form_error(client, username):
    response = register(client, username=username)
    assert response.status_code == 200
    assert "Use only letters, digits, underscores, dots and hyphens." in response.text
    assert count_rows(User) == 0


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com"])
def test_register_invalid_email_is_form_error(client, email):
    response = register(client, email=email)
    assert response.status_code == 200
    assert "Invalid email address." in response.text
    assert count_rows(User) == 0


@pytest.mark.parametrize(
    ("username", "email"), [("SUSAN", "fresh@example.com"), ("fresh", "Susan@Example.com")], ids=["name", "email"]
)
def test_register_race_on_unique_name_or_email_is_form_error(client, user, monkeypatch, username, email):
    # Another registration wins between the form's check and the insert: the database refuses it.
    monkeypatch.setattr(RegistrationForm, "validate_username", lambda form, field: None)
    monkeypatch.setattr(RegistrationForm, "validate_email", lambda form, field: None)
    response = register(client, username=username, email=email)
    assert response.status_code == 200
    assert "Please use a different username or email address." in response.text
    assert count_rows(User) == 1


def test_register_when_logged_in_redirects_home(logged_in):
    response = register(logged_in)
    assert response.status_code == 302
    assert response.location == "/index"
    assert count_rows(User) == 1


# Login


def test_login_page_shows_form(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    assert is_site_layout(response.text)
    for name in ("username", "password", "remember_me"):
        assert f'name="{name}"' in response.text


@pytest.mark.parametrize("typed", ["susan", "SUSAN", "SuSaN"])
def test_login_accepts_username_in_any_case(client, user, typed):
    response = client.post("/auth/login", data={"username": typed, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response.location == "/index"
    assert is_logged_in(client)


def test_wrong_password_and_unknown_user_get_the_same_message(client, user):
    wrong = client.post("/auth/login", data={"username": "susan", "password": "wrong password"}, follow_redirects=True)
    unknown = client.post(
        "/auth/login", data={"username": "nobody", "password": "wrong password"}, follow_redirects=True
    )
    assert wrong.status_code == unknown.status_code == 200
    assert "Invalid username or password" in wrong.text
    assert "Invalid username or password" in unknown.text
    assert wrong.request.path == unknown.request.path == "/auth/login"
    assert not is_logged_in(client)


def test_login_with_empty_fields_is_form_error(client, user):
    response = client.post("/auth/login", data={"username": "", "password": ""})
    assert response.status_code == 200
    assert response.text.count("This field is required.") == 2
    assert not is_logged_in(client)


def test_remember_me_sets_remember_cookie(client, user):
    client.post("/auth/login", data={"username": "susan", "password": DEFAULT_PASSWORD, "remember_me": "y"})
    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_session_cookie_is_http_only_and_same_site_lax(client, user):
    client.post("/auth/login", data={"username": "susan", "password": DEFAULT_PASSWORD})
    cookie = client.get_cookie("session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_login_without_remember_me_sets_no_remember_cookie(client, user):
    client.post("/auth/login", data={"username": "susan", "password": DEFAULT_PASSWORD})
    assert client.get_cookie("remember_token") is None
    assert client.get_cookie("session") is not None


def test_remember_cookie_logs_in_a_new_session(client, user):
    client.post("/auth/login", data={"username": "susan", "password": DEFAULT_PASSWORD, "remember_me": "y"})
    client.delete_cookie("session")
    assert is_logged_in(client)


def test_login_honours_local_next(client, user):
    response = client.post(
        "/auth/login",
        query_string={"next": "/user/susan?page=1"},
        data={"username": "susan", "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302
    assert response.location == "/user/susan?page=1"


def test_login_required_round_trip_lands_on_requested_page(client, user):
    first = client.get("/explore")
    login_url = first.location
    response = client.post(login_url, data={"username": "susan", "password": DEFAULT_PASSWORD})
    assert response.location == "/explore"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https://evil.example",
        "http://evil.example/index",
        "javascript:alert(1)",
        "///evil.example",
        "/\t/evil.example",
        "evil.example",
    ],
)
def test_login_ignores_foreign_next(client, user, target):
    response = client.post(
        "/auth/login", query_string={"next": target}, data={"username": "susan", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response.location == "/index"


def test_failed_login_keeps_next_for_retry(client, user):
    response = client.post(
        "/auth/login", query_string={"next": "/explore"}, data={"username": "susan", "password": "nope nope"}
    )
    assert response.status_code == 302
    assert login_redirect_next(response) == "/explore"


def test_login_page_when_logged_in_redirects_home(logged_in):
    response = logged_in.get("/auth/login")
    assert response.status_code == 302
    assert response.location == "/index"


# Logout


def test_logout_get_shows_button_and_keeps_session(logged_in):
    response = logged_in.get("/auth/logout")
    assert response.status_code == 200
    assert re.search(r'<form method="post" action="/auth/logout">', response.text)
    assert "Log out now" in response.text
    assert is_logged_in(logged_in)


def test_logout_post_ends_session(logged_in, auth):
    response = auth.logout()
    assert response.status_code == 302
    follow = logged_in.get("/index")
    assert follow.status_code == 302
    assert follow.location.startswith("/auth/login")


def test_logout_post_ends_remembered_session(client, auth, user):
    auth.login("susan", remember_me="y")
    auth.logout()
    assert client.get_cookie("remember_token") is None or client.get_cookie("remember_token").value == ""
    assert not is_logged_in(client)


def test_navbar_logout_is_a_post_form(logged_in):
    html = logged_in.get("/index").text
    assert '<form method="post" action="/auth/logout">' in html
    assert 'href="/auth/logout"' not in html


# Password reset


def test_reset_request_for_known_and_unknown_email_answer_alike(app, user):
    answers = {}
    for email in ("susan@example.com", "ghost@example.com"):
        client = app.test_client()
        with mail.record_messages() as outbox:
            response = client.post("/auth/reset_password_request", data={"email": email})
        page = client.get(response.location)
        answers[email] = (response.status_code, response.location, flashes(page.text), len(outbox))
    assert answers["susan@example.com"] == (
        302,
        "/auth/login",
        ["Check your email for the instructions to reset your password"],
        1,
    )
    assert answers["ghost@example.com"] == answers["susan@example.com"][:3] + (0,)


def test_reset_email_goes_to_the_account_address(client, user):
    _, outbox = request_reset(client, "susan@example.com")
    assert outbox[0].recipients == ["susan@example.com"]
    assert "susan" in outbox[0].body


def test_reset_request_matches_email_in_any_case(client, user):
    _, outbox = request_reset(client, "SUSAN@Example.COM")
    assert len(outbox) == 1


def test_reset_request_with_invalid_email_is_form_error(client, user):
    response, outbox = request_reset(client, "not an email")
    assert response.status_code == 200
    assert "Invalid email address." in response.text
    assert outbox == []


def test_reset_link_sets_new_password(client, user):
    _, outbox = request_reset(client, "susan@example.com")
    path = reset_path_from(outbox[0])
    form = client.get(path)
    assert form.status_code == 200
    assert 'name="password2"' in form.text
    response = client.post(path, data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.location == "/auth/login"
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(DEFAULT_PASSWORD)


def test_reset_link_works_only_once(client, user):
    _, outbox = request_reset(client, "susan@example.com")
    path = reset_path_from(outbox[0])
    client.post(path, data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    again = client.post(path, data={"password": "third password!", "password2": "third password!"})
    assert again.status_code == 302
    assert again.location == "/auth/reset_password_request"
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)
    assert client.get(path).location == "/auth/reset_password_request"


def test_reset_form_mismatch_is_form_error_and_keeps_password(client, user):
    path = f"/auth/reset_password/{user.get_reset_password_token()}"
    response = client.post(path, data={"password": NEW_PASSWORD, "password2": "something else"})
    assert response.status_code == 200
    assert "Passwords must match." in response.text
    db.session.refresh(user)
    assert user.check_password(DEFAULT_PASSWORD)


def test_reset_token_dies_when_password_changes(client, user):
    token = user.get_reset_password_token()
    user.set_password("changed elsewhere")
    db.session.commit()
    response = client.get(f"/auth/reset_password/{token}", follow_redirects=True)
    assert response.request.path == "/auth/reset_password_request"
    assert "This password reset link is invalid or has expired." in response.text


def test_expired_reset_token_is_refused(client, user):
    token = user.get_reset_password_token(expires_in=-10)
    response = client.post(f"/auth/reset_password/{token}", data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.location == "/auth/reset_password_request"
    db.session.refresh(user)
    assert user.check_password(DEFAULT_PASSWORD)


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.eyJyZXNldF9wYXNzd29yZCI6MX0."])
def test_garbage_reset_token_is_refused(client, user, token):
    response = client.post(f"/auth/reset_password/{token}", data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.location == "/auth/reset_password_request"
    db.session.refresh(user)
    assert user.check_password(DEFAULT_PASSWORD)


def test_reset_pages_when_logged_in_redirect_home(logged_in, user):
    assert logged_in.get("/auth/reset_password_request").location == "/index"
    assert logged_in.get(f"/auth/reset_password/{user.get_reset_password_token()}").location == "/index"


# CSRF


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/auth/login", {"username": "susan", "password": DEFAULT_PASSWORD}),
        (
            "/auth/register",
            {"username": "x1", "email": "x1@example.com", "password": "12345678", "password2": "12345678"},
        ),
        ("/auth/reset_password_request", {"email": "susan@example.com"}),
    ],
)
def test_anonymous_auth_forms_refuse_post_without_csrf_token(client, user, csrf_enabled, path, data):
    with mail.record_messages() as outbox:
        response = client.post(path, data=data)
    assert response.status_code == 400
    assert is_site_layout(response.text)
    assert "Your session expired or the form was not sent from this site." in response.text
    assert not is_logged_in(client)
    assert count_rows(User) == 1
    assert outbox == []


def test_login_with_csrf_token_from_the_page_succeeds(client, user, csrf_enabled):
    token = csrf_token_from(client.get("/auth/login").text)
    response = client.post("/auth/login", data={"username": "susan", "password": DEFAULT_PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert is_logged_in(client)


def test_reset_password_refuses_post_without_csrf_token(client, user, csrf_enabled):
    path = f"/auth/reset_password/{user.get_reset_password_token()}"
    response = client.post(path, data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 400
    db.session.refresh(user)
    assert user.check_password(DEFAULT_PASSWORD)


def test_logout_refuses_post_without_csrf_token(logged_in, csrf_enabled):
    response = logged_in.post("/auth/logout")
    assert response.status_code == 400
    assert is_logged_in(logged_in)
