"""Signing in through the real login form, with the test client."""

from flask import Flask
from flask.testing import FlaskClient

from tests.support.factories import DEFAULT_PASSWORD
from tests.support.pages import csrf_token_from


class AuthActions:
    """Send the login and logout forms; return the response, whatever it is (for tests of failures too)."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = DEFAULT_PASSWORD, **extra):
        return self.client.post("/auth/login", data={"username": username, "password": password, **extra})

    def logout(self):
        return self.client.post("/auth/logout")


def log_in(client: FlaskClient, username: str = "susan", password: str = DEFAULT_PASSWORD, **extra) -> FlaskClient:
    """Sign `client` in through the login form (with its CSRF token when the app wants one); return it.

    Asserts the login worked: a redirect to the home page.
    """
    data = {"username": username, "password": password, **extra}
    if client.application.config["WTF_CSRF_ENABLED"]:
        data["csrf_token"] = csrf_token_from(client.get("/auth/login").text)
    response = client.post("/auth/login", data=data)
    assert response.status_code == 302, response.text
    assert response.location == "/index", response.location
    return client


def signed_in(app: Flask, username: str = "susan", password: str = DEFAULT_PASSWORD, **extra) -> FlaskClient:
    """Return a new client of `app` signed in as `username`."""
    return log_in(app.test_client(), username, password, **extra)
