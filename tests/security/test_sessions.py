"""Sessions: cookie flags, logout and password resets end every session, reset tokens, no account oracle."""

import os
import re
import statistics
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa
import werkzeug.security

from app.extensions import db
from app.models import User
from tests.support.apps import make_app, pushed
from tests.support.auth import log_in
from tests.support.factories import DEFAULT_PASSWORD, UserFactory
from tests.support.paths import ROOT

NEW_PASSWORD = "a brand new password"
CSRF_TOKEN = re.compile(r"(content|value)=\"[\w.-]{60,}\"")


@pytest.fixture
def susan_app(plain_app):
    """The app with susan saved."""
    UserFactory(username="susan", email="susan@example.com")
    return plain_app


def set_cookie_headers(response) -> dict[str, str]:
    """Return the Set-Cookie headers of a response by cookie name."""
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def cookie_flags(header: str) -> set[str]:
    return {part.strip().lower() for part in header.split(";")[1:]}


def test_session_and_remember_cookies_are_httponly_and_samesite_lax(susan_app):
    response = susan_app.test_client().post(
        "/auth/login", data={"username": "susan", "password": DEFAULT_PASSWORD, "remember_me": "y"}
    )
    cookies = set_cookie_headers(response)
    assert {"session", "remember_token"} <= set(cookies)
    for name in ("session", "remember_token"):
        flags = cookie_flags(cookies[name])
        assert "httponly" in flags, name
        assert "samesite=lax" in flags, name
        assert "secure" not in flags, f"{name} is Secure on plain HTTP by default"


def test_cookies_are_secure_when_configured():
    app = make_app(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    for _ in pushed(app):
        UserFactory(username="susan")
        response = app.test_client().post(
            "/auth/login",
            data={"username": "susan", "password": DEFAULT_PASSWORD, "remember_me": "y"},
            base_url="https://localhost",
        )
        cookies = set_cookie_headers(response)
        for name in ("session", "remember_token"):
            assert "secure" in cookie_flags(cookies[name]), name
            assert "httponly" in cookie_flags(cookies[name]), name


def test_session_cookie_secure_env_switch_covers_both_cookies():
    code = "import config; print(config.Config.SESSION_COOKIE_SECURE, config.Config.REMEMBER_COOKIE_SECURE)"
    env = {**os.environ, "SESSION_COOKIE_SECURE": "1"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["True", "True"], result.stderr


def test_readme_explains_secure_cookies_behind_https():
    readme = (ROOT / "README.md").read_text()
    assert "SESSION_COOKIE_SECURE=1" in readme
    assert "TRUSTED_PROXIES=1" in readme


def remember_only_client(app, remember_cookie: str):
    """Return a client that carries nothing but a remember-me cookie (a browser restarted later)."""
    client = app.test_client()
    client.set_cookie("remember_token", remember_cookie)
    return client


def remember_cookie_of(client) -> str:
    cookie = client.get_cookie("remember_token")
    assert cookie is not None, "no remember-me cookie"
    return cookie.value


def is_logged_in(client) -> bool:
    response = client.get("/index")
    assert response.status_code in {200, 302}
    return response.status_code == 200


def test_logout_ends_every_other_session_and_remember_cookie(susan_app):
    laptop = log_in(susan_app.test_client())
    phone = log_in(susan_app.test_client(), remember_me="y")
    remember = remember_cookie_of(phone)
    assert is_logged_in(remember_only_client(susan_app, remember)), "the remember cookie works before the logout"
    assert is_logged_in(phone)

    assert laptop.post("/auth/logout").status_code == 302

    assert not is_logged_in(laptop)
    response = phone.get("/index")
    assert response.status_code == 302
    assert response.location.startswith("/auth/login")
    assert not is_logged_in(remember_only_client(susan_app, remember))
    # Logging in again works and gives a fresh session.
    assert is_logged_in(log_in(susan_app.test_client()))


def reset_token() -> str:
    return db.session.scalar(User.by_username("susan")).get_reset_password_token()


def reset_password(app, token: str, password: str = NEW_PASSWORD):
    return app.test_client().post(f"/auth/reset_password/{token}", data={"password": password, "password2": password})


def test_a_password_reset_ends_every_session(susan_app):
    browser = log_in(susan_app.test_client(), remember_me="y")
    remember = remember_cookie_of(browser)
    response = reset_password(susan_app, reset_token())
    assert response.status_code == 302 and response.location == "/auth/login"
    assert not is_logged_in(browser)
    assert not is_logged_in(remember_only_client(susan_app, remember))
    assert is_logged_in(log_in(susan_app.test_client(), password=NEW_PASSWORD))


def test_a_reset_token_works_once(susan_app):
    token = reset_token()
    assert reset_password(susan_app, token).location == "/auth/login"
    again = reset_password(susan_app, token, "yet another password")
    assert again.status_code == 302 and again.location == "/auth/reset_password_request"
    assert susan_app.test_client().get(f"/auth/reset_password/{token}").location == "/auth/reset_password_request"
    assert is_logged_in(log_in(susan_app.test_client(), password=NEW_PASSWORD))


def test_a_reset_token_dies_when_the_password_changes(susan_app):
    token = reset_token()
    susan = db.session.scalar(User.by_username("susan"))
    susan.set_password("changed elsewhere")
    db.session.commit()
    response = reset_password(susan_app, token)
    assert response.location == "/auth/reset_password_request"
    assert susan.check_password("changed elsewhere")


def test_forged_expired_and_foreign_tokens_are_refused(susan_app):
    import jwt

    susan = db.session.scalar(User.by_username("susan"))
    good = susan.get_reset_password_token()
    payload = jwt.decode(good, susan_app.config["SECRET_KEY"], algorithms=["HS256"])
    forged = [
        susan.get_reset_password_token(expires_in=-10),
        jwt.encode(payload, "another-secret-key-that-is-long-enough!", algorithm="HS256"),
        jwt.encode({**payload, "pwd": "0" * 16}, susan_app.config["SECRET_KEY"], algorithm="HS256"),
        jwt.encode(
            {"reset_password": susan.id, "exp": payload["exp"]}, susan_app.config["SECRET_KEY"], algorithm="HS256"
        ),
        good[:-4] + "AAAA",
        "not-a-token",
    ]
    for token in forged:
        assert reset_password(susan_app, token).location == "/auth/reset_password_request", token
    assert susan.check_password(DEFAULT_PASSWORD)


def flashes_after(client, response) -> str:
    """Return the text of the page a redirect leads to (where the flash is shown)."""
    assert response.status_code == 302
    # The per-session CSRF token is the only part allowed to differ.
    return CSRF_TOKEN.sub("", client.get(response.location).text)


def test_the_reset_request_answers_the_same_for_unknown_addresses(susan_app):
    known_client, unknown_client = susan_app.test_client(), susan_app.test_client()
    known = known_client.post("/auth/reset_password_request", data={"email": "susan@example.com"})
    unknown = unknown_client.post("/auth/reset_password_request", data={"email": "nobody@example.com"})
    assert (known.status_code, known.location) == (unknown.status_code, unknown.location)
    assert flashes_after(known_client, known) == flashes_after(unknown_client, unknown)


def test_the_login_error_is_the_same_for_unknown_users(susan_app):
    wrong_client, unknown_client = susan_app.test_client(), susan_app.test_client()
    wrong = wrong_client.post("/auth/login", data={"username": "susan", "password": "wrong password"})
    unknown = unknown_client.post("/auth/login", data={"username": "nobody", "password": "wrong password"})
    assert (wrong.status_code, wrong.location) == (unknown.status_code, unknown.location)
    wrong_page, unknown_page = flashes_after(wrong_client, wrong), flashes_after(unknown_client, unknown)
    assert "Invalid username or password" in wrong_page
    assert wrong_page.replace('value="susan"', "") == unknown_page.replace('value="nobody"', "")


def test_a_login_for_an_unknown_user_takes_as_long_as_a_wrong_password(plain_app, monkeypatch):
    # The shared fixture makes stored hashes cheap; use the real default cost on both sides, as in production.
    monkeypatch.setattr("app.models.user.generate_password_hash", werkzeug.security.generate_password_hash)
    UserFactory(username="susan")
    stored = db.session.scalar(sa.select(User.password_hash).where(User.username == "susan"))
    default_method = werkzeug.security.generate_password_hash("x").split("$", 1)[0]
    assert stored.startswith(default_method + "$")
    client = plain_app.test_client()

    def timed(username: str) -> float:
        started = time.perf_counter()
        response = client.post("/auth/login", data={"username": username, "password": "wrong password"})
        elapsed = time.perf_counter() - started
        assert response.status_code == 302 and response.location.startswith("/auth/login")
        return elapsed

    timed("nobody"), timed("susan")  # warm up (the dummy hash is made on first use)
    wrong, unknown = [], []
    for _ in range(10):
        wrong.append(timed("susan"))
        unknown.append(timed("nobody"))
    ratio = statistics.median(unknown) / statistics.median(wrong)
    assert 0.5 < ratio < 2.0, f"unknown user {statistics.median(unknown):.4f}s vs wrong password " + (
        f"{statistics.median(wrong):.4f}s"
    )
