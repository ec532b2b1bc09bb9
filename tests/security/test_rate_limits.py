"""Brute force: sensitive endpoints are limited per client address and per account, with a friendly 429."""

import itertools

import pytest

from tests.support.factories import DEFAULT_PASSWORD, UserFactory

LIMIT = 3  # RATELIMIT_AUTH of the `limited_app` fixture
addresses = (f"10.0.{n // 250}.{n % 250 + 1}" for n in itertools.count())


def from_address(address: str) -> dict:
    return {"environ_overrides": {"REMOTE_ADDR": address}}


def assert_html_429(response) -> None:
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    assert "Too many requests" in response.text
    assert 'class="navbar-brand"' in response.text, "the 429 page is in the site layout"
    assert "Traceback" not in response.text
    assert int(response.headers["Retry-After"]) > 0


def assert_json_429(response) -> None:
    assert response.status_code == 429
    assert response.is_json
    assert response.json["error"] == "Too Many Requests"
    assert response.json["message"]
    assert int(response.headers["Retry-After"]) > 0


FORMS = {
    "login": ("/auth/login", lambda n: {"username": f"user{n}", "password": "wrong password"}),
    "register": (
        "/auth/register",
        lambda n: {"username": f"new{n}", "email": f"new{n}@example.com", "password": "x", "password2": "y"},
    ),
    "reset request": ("/auth/reset_password_request", lambda n: {"email": f"user{n}@example.com"}),
}
# The same account from many addresses: the field that names the account stays fixed.
SAME_ACCOUNT = {
    "login": {"username": "susan", "password": "wrong password"},
    "register": {"username": "susan", "email": "other@example.com", "password": "x", "password2": "y"},
    "reset request": {"email": "susan@example.com"},
}


@pytest.mark.parametrize("form", FORMS)
def test_forms_are_limited_per_address(limited_app, form):
    path, data = FORMS[form]
    client = limited_app.test_client()
    address = next(addresses)
    for n in range(LIMIT):
        assert client.post(path, data=data(n), **from_address(address)).status_code in {200, 302}
    assert_html_429(client.post(path, data=data(99), **from_address(address)))
    # Another address is not affected, and reading the form is never limited.
    assert client.post(path, data=data(100), **from_address(next(addresses))).status_code in {200, 302}
    assert client.get(path, **from_address(address)).status_code == 200


@pytest.mark.parametrize("form", SAME_ACCOUNT)
def test_forms_are_limited_per_account_across_addresses(limited_app, form):
    UserFactory(username="susan", email="susan@example.com")
    path = FORMS[form][0]
    client = limited_app.test_client()
    for _ in range(LIMIT):
        assert client.post(path, data=SAME_ACCOUNT[form], **from_address(next(addresses))).status_code in {200, 302}
    assert_html_429(client.post(path, data=SAME_ACCOUNT[form], **from_address(next(addresses))))
    # The account key ignores case and surrounding spaces.
    variant = {k: (f"  {v.upper()} " if k in {"username", "email"} else v) for k, v in SAME_ACCOUNT[form].items()}
    assert_html_429(client.post(path, data=variant, **from_address(next(addresses))))


def test_a_limited_login_does_not_sign_in_even_with_the_right_password(limited_app):
    UserFactory(username="susan")
    client = limited_app.test_client()
    for _ in range(LIMIT):
        client.post("/auth/login", data={"username": "susan", "password": "wrong"}, **from_address(next(addresses)))
    response = client.post(
        "/auth/login", data={"username": "susan", "password": DEFAULT_PASSWORD}, **from_address(next(addresses))
    )
    assert_html_429(response)
    assert client.get("/index").status_code == 302


def test_the_429_page_is_json_for_clients_that_prefer_it(limited_app):
    client = limited_app.test_client()
    address = next(addresses)
    for n in range(LIMIT):
        client.post("/auth/login", data={"username": f"u{n}", "password": "x"}, **from_address(address))
    response = client.post(
        "/auth/login",
        data={"username": "u9", "password": "x"},
        headers={"Accept": "application/json"},
        **from_address(address),
    )
    assert_json_429(response)


def test_token_creation_is_limited_per_address(limited_app):
    for n in range(LIMIT + 1):
        UserFactory(username=f"api{n}")
    client = limited_app.test_client()
    address = next(addresses)
    for n in range(LIMIT):
        response = client.post("/api/tokens", auth=(f"api{n}", "wrong password"), **from_address(address))
        assert response.status_code == 401
    assert_json_429(client.post("/api/tokens", auth=(f"api{LIMIT}", DEFAULT_PASSWORD), **from_address(address)))


def test_token_creation_is_limited_per_account_across_addresses(limited_app):
    UserFactory(username="susan")
    client = limited_app.test_client()
    for _ in range(LIMIT):
        response = client.post("/api/tokens", auth=("susan", "wrong password"), **from_address(next(addresses)))
        assert response.status_code == 401
    assert_json_429(client.post("/api/tokens", auth=("SUSAN", DEFAULT_PASSWORD), **from_address(next(addresses))))
    # Other accounts are not locked out by attacks on susan.
    UserFactory(username="john")
    assert (
        client.post("/api/tokens", auth=("john", DEFAULT_PASSWORD), **from_address(next(addresses))).status_code == 200
    )


def test_successful_token_requests_do_not_use_up_the_account_budget(limited_app):
    UserFactory(username="susan")
    client = limited_app.test_client()
    for _ in range(LIMIT + 2):
        response = client.post("/api/tokens", auth=("susan", DEFAULT_PASSWORD), **from_address(next(addresses)))
        assert response.status_code == 200


def test_api_registration_is_limited_per_address(limited_app):
    client = limited_app.test_client()
    address = next(addresses)
    for n in range(LIMIT):
        body = {"username": f"u{n}", "email": f"u{n}@example.com", "password": "pw"}
        assert client.post("/api/users", json=body, **from_address(address)).status_code == 201
    body = {"username": "u9", "email": "u9@example.com", "password": "pw"}
    assert_json_429(client.post("/api/users", json=body, **from_address(address)))
