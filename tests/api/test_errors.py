"""Every API error is JSON of one shape with the right status; rate limits; the OpenAPI document and docs page."""

import re

import pytest

from app.extensions import db
from tests.support.api import assert_error, basic, bearer, token_for
from tests.support.apps import make_app
from tests.support.factories import UserFactory


def test_unknown_api_url_is_json_404(client):
    assert_error(client.get("/api/nothing/here"), 404, "Not Found")


def test_wrong_method_is_json_405_with_allow(client):
    response = client.patch("/api/users")
    assert_error(response, 405, "Method Not Allowed")
    assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]


def test_body_too_large_is_413():
    app = make_app(MAX_CONTENT_LENGTH=1000)
    with app.app_context():
        response = app.test_client().post("/api/users", json={"username": "x" * 5000})
        assert_error(response, 413, "Request Entity Too Large")


def test_not_json_is_415(client):
    response = client.post("/api/users", data="<xml/>", content_type="application/xml")
    assert_error(response, 415, "Unsupported Media Type")


@pytest.mark.parametrize(
    "path",
    [
        "/api/users/%00",
        "/api/users/1%00",
        "/api/users/-1",
        "/api/users/1e3",
        "/api/users/" + "9" * 400,
        "/api/posts/%ff%fe",
        "/api/tasks/%00",
        "/api/users?page=%ff",
        "/api/users?per_page=" + "9" * 400,
        "/api/users?page=" + "9" * 400,
        "/api/search?q=%ff%fe",
        "/api/notifications?since=" + "9" * 400,
        "/api/notifications?since=1e999",
    ],
)
def test_hostile_urls_never_give_html_or_500(client, headers, path):
    response = client.get(path, headers=headers)
    assert response.status_code < 500
    assert response.mimetype == "application/json"
    if response.status_code >= 400:
        assert set(response.get_json()) >= {"error", "message"}


@pytest.mark.parametrize(
    "payload",
    [
        b'{"body": "\\u0000"}',
        b'{"body": "\\ud800"}',
        b'{"body": 123456789012345678901234567890}',
        b'{"body": ["a"]}',
        b'{"body": {"a": 1}}',
        b'{"body": "\xff"}',
        b"\x00\x00",
        b'{"body": "x"' + b"}" * 10,
        b"[" * 5000 + b"]" * 5000,
        b"1e999999",
    ],
)
def test_hostile_bodies_are_400(client, headers, payload):
    response = client.post("/api/posts", data=payload, content_type="application/json", headers=headers)
    assert_error(response, 400, "Bad Request")


def test_hostile_basic_credentials_are_401(client, user):
    for raw in [b"Basic \xff\xfe", b"Basic !!!", b"Basic " + b"A" * 5000]:
        response = client.post("/api/tokens", headers={"Authorization": raw.decode("latin-1")})
        assert_error(response, 401, "Unauthorized")


def test_api_errors_are_json_even_when_html_is_preferred(client):
    response = client.get("/api/users/1", headers={"Accept": "text/html"})
    assert_error(response, 401, "Unauthorized")


# Rate limits


@pytest.fixture
def limited_app():
    """An app with rate limits on: 3 token or registration requests, 5 API calls, per window."""
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_AUTH="3 per minute", RATELIMIT_API="5 per minute")
    with app.app_context():
        yield app
        db.session.remove()


def test_token_creation_is_limited_per_address(limited_app):
    UserFactory(username="susan")
    client = limited_app.test_client()
    for _ in range(3):
        assert client.post("/api/tokens", headers=basic("susan")).status_code == 200
    response = client.post("/api/tokens", headers=basic("susan"))
    assert_error(response, 429, "Too Many Requests")
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["X-RateLimit-Limit"] == "3"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    other_address = client.post("/api/tokens", headers=basic("susan"), environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other_address.status_code == 200


def test_user_creation_is_limited_per_address(limited_app):
    client = limited_app.test_client()
    for n in range(3):
        body = {"username": f"u{n}", "email": f"u{n}@example.com", "password": "pw"}
        assert client.post("/api/users", json=body).status_code == 201
    body = {"username": "u9", "email": "u9@example.com", "password": "pw"}
    response = client.post("/api/users", json=body)
    assert_error(response, 429, "Too Many Requests")
    assert response.headers["Retry-After"]


def test_authenticated_calls_are_limited_per_token(limited_app):
    UserFactory(username="susan")
    UserFactory(username="bob")
    client = limited_app.test_client()
    susan, bob = bearer(token_for(client, "susan")), bearer(token_for(client, "bob"))
    for _ in range(5):
        response = client.get("/api/users", headers=susan)
        assert response.status_code == 200
        assert "X-RateLimit-Remaining" in response.headers
    response = client.get("/api/explore", headers=susan)
    assert_error(response, 429, "Too Many Requests")
    assert response.headers["Retry-After"]
    # Another token from the same address has its own budget.
    assert client.get("/api/users", headers=bob).status_code == 200


# The OpenAPI document and the docs page


def test_openapi_document_describes_every_api_route(client, app):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {
        (path, method.upper()) for path, item in spec["paths"].items() for method in item if method != "parameters"
    }
    rules = {
        (re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert rules == documented
    assert {"bearerAuth", "basicAuth"} <= set(spec["components"]["securitySchemes"])
    assert spec["paths"]["/api/users"]["post"]["responses"]["201"]["headers"]["Location"]


def test_docs_page_uses_only_local_assets(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "http://" not in html and "https://" not in html
    assert "<script>" not in html  # no inline script: the CSP allows only 'self'
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    for asset in [
        "/api/docs/swagger-ui/swagger-ui-bundle.js",
        "/api/docs/swagger-ui/swagger-ui.css",
        "/api/static/docs.js",
    ]:
        assert asset in html
        with client.get(asset) as response:
            assert response.status_code == 200
    assert_error(client.get("/api/docs/swagger-ui/index.html"), 404, "Not Found")
