"""A black-box client (`requests`) against a real gunicorn serving the migrated app."""

import time

import pytest
import requests

from tests.support.live_server import Gunicorn, migrate, production_env


def wait_until(predicate, timeout: float = 20, interval: float = 0.2):
    """Return the first truthy value of `predicate()` within `timeout` seconds, else fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"gave up waiting after {timeout} s")


@pytest.fixture
def gunicorn_url(tmp_path):
    """Migrate a SQLite file with `flask db upgrade`, serve it with 2 gunicorn workers; yield the base URL."""
    env = production_env(f"sqlite:///{tmp_path / 'live.db'}")
    migrate(env)
    with Gunicorn(env, tmp_path / "gunicorn.log", workers=2, ready_path="/api/openapi.json") as server:
        yield server.url


def register(base: str, name: str) -> dict:
    body = {"username": name, "email": f"{name}@example.com", "password": f"{name} password"}
    response = requests.post(f"{base}/api/users", json=body, timeout=10)
    assert response.status_code == 201, response.text
    assert response.headers["Location"].endswith(f"/api/users/{response.json()['id']}")
    return response.json()


def login(base: str, name: str) -> requests.Session:
    response = requests.post(f"{base}/api/tokens", auth=(name, f"{name} password"), timeout=10)
    assert response.status_code == 200, response.text
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {response.json()['token']}"
    return session


def test_a_client_does_everything_the_site_does(gunicorn_url):
    base = gunicorn_url
    alice, bob = register(base, "alice"), register(base, "bob")
    as_alice, as_bob = login(base, "alice"), login(base, "bob")

    # Bob posts; Alice follows him and sees the post in her timeline.
    post = as_bob.post(f"{base}/api/posts", json={"body": "Hello from the kumquat orchard"}, timeout=10)
    assert post.status_code == 201, post.text
    assert as_alice.post(f"{base}/api/users/{bob['id']}/follow", timeout=10).status_code == 204
    timeline = as_alice.get(f"{base}/api/timeline", timeout=10).json()
    assert [item["body"] for item in timeline["items"]] == ["Hello from the kumquat orchard"]
    assert as_alice.get(f"{base}/api/users/{bob['id']}", timeout=10).json()["follower_count"] == 1

    # Alice messages Bob, who sees it and gets a notification.
    sent = as_alice.post(f"{base}/api/messages", json={"recipient": "bob", "body": "hi bob"}, timeout=10)
    assert sent.status_code == 201, sent.text
    inbox = as_bob.get(f"{base}/api/messages", timeout=10).json()
    assert [(m["sender"], m["body"]) for m in inbox["items"]] == [("alice", "hi bob")]
    notes = as_bob.get(f"{base}/api/notifications", params={"since": 0}, timeout=10).json()
    assert {"name": "unread_message_count", "data": 1} in [{k: n[k] for k in ("name", "data")} for n in notes["items"]]

    # Search finds the post.
    def found():
        result = as_alice.get(f"{base}/api/search", params={"q": "kumquat"}, timeout=10).json()
        return result["items"]

    assert wait_until(found)[0]["id"] == post.json()["id"]

    # Bob exports his posts; the task finishes.
    started = as_bob.post(f"{base}/api/tasks/export_posts", timeout=10)
    assert started.status_code == 202, started.text
    task_url = base + started.headers["Location"]

    def finished():
        task = as_bob.get(task_url, timeout=10).json()
        return task if task["complete"] or task["failed"] else None

    task = wait_until(finished, timeout=30)
    assert task["complete"] and not task["failed"] and task["progress"] == 100
    assert as_alice.get(task_url, timeout=10).status_code == 403

    # Errors stay JSON; a revoked token stops working.
    missing = as_alice.get(f"{base}/api/posts/999999", timeout=10)
    assert missing.status_code == 404 and missing.json()["error"] == "Not Found"
    assert as_alice.delete(f"{base}/api/tokens", timeout=10).status_code == 204
    revoked = as_alice.get(f"{base}/api/users/{alice['id']}", timeout=10)
    assert revoked.status_code == 401 and revoked.headers["WWW-Authenticate"].lower().startswith("bearer")
