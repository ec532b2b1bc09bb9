"""Open redirects: `next` is followed only when it is a path on this site."""

from urllib.parse import quote, urljoin, urlsplit

import pytest

from app.web.security import is_safe_next
from tests.support.auth import log_in
from tests.support.factories import PostFactory, UserFactory

SITE = "http://localhost"
HOSTILE = [
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "https://evil.example/",
    "http:evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " //evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "\t//evil.example",
    "/\x00/evil.example",
    "evil.example",
    "@evil.example",
    "https:/evil.example",
    "",
]
SAME_SITE = ["/explore", "/user/susan?page=1", "/search?q=a+b", "/%2F%2Fevil.example"]


def browser_destination(location: str) -> str:
    """Return the host a browser would go to for this Location, applying the lenient URL parsing of browsers."""
    cleaned = location.strip(" \x00").replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    return urlsplit(urljoin(SITE + "/some/page", cleaned)).netloc


def assert_stays_on_site(response, expected: str | None = None) -> None:
    assert response.status_code == 302, response.text
    assert browser_destination(response.location) == "localhost", response.location
    if expected is not None:
        assert response.location == expected


@pytest.mark.parametrize("target", HOSTILE)
def test_is_safe_next_refuses_other_sites_and_schemes(target):
    assert not is_safe_next(target)


def test_is_safe_next_refuses_none():
    assert not is_safe_next(None)


@pytest.mark.parametrize("target", SAME_SITE)
def test_is_safe_next_accepts_local_paths(target):
    assert is_safe_next(target)


@pytest.fixture
def app_with_susan(plain_app):
    UserFactory(username="susan", email="susan@example.com")
    return plain_app


@pytest.mark.parametrize("target", HOSTILE)
def test_login_refuses_a_foreign_next(app_with_susan, target):
    client = app_with_susan.test_client()
    response = client.post(
        f"/auth/login?next={quote(target, safe='')}", data={"username": "susan", "password": "correct horse battery"}
    )
    assert_stays_on_site(response, "/index")


@pytest.mark.parametrize("target", SAME_SITE)
def test_login_follows_a_local_next(app_with_susan, target):
    client = app_with_susan.test_client()
    response = client.post(
        f"/auth/login?next={quote(target, safe='')}", data={"username": "susan", "password": "correct horse battery"}
    )
    assert_stays_on_site(response, target)


def test_a_failed_login_keeps_next_as_a_query_parameter_only(app_with_susan):
    client = app_with_susan.test_client()
    response = client.post("/auth/login?next=//evil.example", data={"username": "susan", "password": "wrong password"})
    assert_stays_on_site(response)
    assert urlsplit(response.location).path == "/auth/login"


@pytest.mark.parametrize("target", HOSTILE)
def test_delete_post_refuses_a_foreign_next(app_with_susan, target):
    client = log_in(app_with_susan.test_client())
    post = PostFactory(author=_susan())
    response = client.post(f"/post/{post.id}/delete?next={quote(target, safe='')}")
    assert_stays_on_site(response, "/index")


def test_delete_post_follows_a_local_next(app_with_susan):
    client = log_in(app_with_susan.test_client())
    post = PostFactory(author=_susan())
    response = client.post(f"/post/{post.id}/delete?next={quote('/user/susan?page=1', safe='')}")
    assert_stays_on_site(response, "/user/susan?page=1")


@pytest.mark.parametrize("signed", [True, False], ids=["logged-in", "anonymous"])
@pytest.mark.parametrize("target", HOSTILE)
def test_language_switch_refuses_a_foreign_next(app_with_susan, target, signed):
    client = log_in(app_with_susan.test_client()) if signed else app_with_susan.test_client()
    response = client.post("/language/es", data={"next": target})
    assert_stays_on_site(response, "/index")


def test_language_switch_follows_a_local_next(app_with_susan):
    client = log_in(app_with_susan.test_client())
    response = client.post("/language/es", data={"next": "/explore?page=1"})
    assert_stays_on_site(response, "/explore?page=1")


def _susan():
    from app.extensions import db
    from app.models import User

    return db.session.scalar(User.by_username("susan"))
