"""Talking to the JSON API with the test client: credentials and its single error shape."""

import base64

from tests.support.factories import DEFAULT_PASSWORD


def basic(username: str, password: str = DEFAULT_PASSWORD) -> dict[str, str]:
    """Return an HTTP Basic Authorization header."""
    credentials = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}


def bearer(token: str) -> dict[str, str]:
    """Return a Bearer Authorization header."""
    return {"Authorization": f"Bearer {token}"}


def token_for(client, username: str, password: str = DEFAULT_PASSWORD) -> str:
    """Get a token through the API."""
    response = client.post("/api/tokens", headers=basic(username, password))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["token"]


def assert_error(response, status: int, reason: str) -> dict:
    """Assert a JSON error body of the API's single shape; return it."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] == reason
    assert isinstance(body["message"], str) and body["message"]
    return body
