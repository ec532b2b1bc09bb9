"""Fixtures and helpers for the view tests (Flask test client)."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import DEFAULT_PASSWORD, UserFactory

XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def john(app):
    """A second saved user, 'john'."""
    return UserFactory(username="john", email="john@example.com")


@pytest.fixture
def csrf_enabled(app):
    """Turn global CSRF protection on for this test (the shared config turns it off)."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def client_as(app):
    """Return a function that gives a fresh client logged in as `username`."""

    def login(username: str, password: str = DEFAULT_PASSWORD):
        client = app.test_client()
        response = client.post("/auth/login", data={"username": username, "password": password})
        assert response.status_code == 302, response.text
        assert response.location == "/index"
        return client

    return login


def login_redirect_next(response) -> str | None:
    """Return the `next` of a redirect to the login page, or None when it is not one."""
    if response.status_code != 302:
        return None
    parts = urlsplit(response.location)
    if parts.path != "/auth/login" or parts.netloc:
        return None
    return parse_qs(parts.query).get("next", [None])[0]


def csrf_token_from(html: str) -> str:
    """Return the CSRF token a page carries in its <meta> tag."""
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def is_site_layout(html: str) -> bool:
    """Return whether a page is a full page in the site layout (navbar included)."""
    return html.lstrip().lower().startswith("<!doctype html>") and 'class="navbar-brand"' in html
