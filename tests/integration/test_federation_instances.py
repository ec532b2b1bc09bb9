"""Two Microblog instances federating over real HTTP, with real signatures, each under gunicorn.

`a.test` and `b.test` each run in their own gunicorn, on their own SQLite database and
SERVER_NAME (with the port). Both names resolve to 127.0.0.1 inside the servers (a `sitecustomize`
on their PYTHONPATH, tests/support/test_hosts) and in this test (its own resolver), so nothing on
the machine changes. Deliveries go by the web processes' threads (no Redis), as on a one-box site.

One journey, in order: alice on a follows bob on b (and b's Accept arrives), bob's post reaches
her home timeline, her reply is threaded on both sides, her like is counted on b, bob's delete
reaches a, her unfollow reaches b, and once b blocks a, a's deliveries are refused.
"""

import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable

import pytest
import requests

from tests.support.live_server import Gunicorn, migrate, production_env
from tests.support.pages import csrf_token_from
from tests.support.paths import ROOT

PASSWORD = "correct horse battery staple"
ACTIVITY_JSON = {"Accept": "application/activity+json"}


@pytest.fixture
def test_hosts(monkeypatch):
    """Resolve *.test to 127.0.0.1 in this process, as the servers' sitecustomize does in theirs."""
    resolve = socket.getaddrinfo

    def resolve_test_hosts(host, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".test"):
            host = "127.0.0.1"
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve_test_hosts)


class Instance:
    """One Microblog under gunicorn, named `name.test:PORT`, with its database file."""

    def __init__(self, name: str, tmp_path):
        self.database = tmp_path / f"{name}.db"
        self.server = Gunicorn({}, tmp_path / f"{name}.log", workers=2, threads=4)
        self.host = f"{name}.test:{self.server.port}"
        self.url = self.server.url = f"http://{self.host}"
        self.server.env.update(
            production_env(
                f"sqlite:///{self.database}",
                FEDERATION="1",
                SERVER_NAME=self.host,
                PREFERRED_URL_SCHEME="http",
                FEDERATION_PEER_SCHEME="http",
                FEDERATION_ALLOW_PRIVATE_PEERS="1",
                PYTHONPATH=str(ROOT / "tests" / "support" / "test_hosts"),
            )
        )
        migrate(self.server.env)

    def flask(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "flask", *args],
            cwd=ROOT,
            env={**self.server.env, "FLASK_APP": "microblog.py"},
            check=True,
            capture_output=True,
            timeout=60,
        )

    def user(self, username: str) -> "Browser":
        self.flask("user", "create", username, f"{username}@example.com", "--password", PASSWORD)
        return Browser(self.url, username)

    def rows(self, sql: str, *params) -> list[tuple]:
        with sqlite3.connect(self.database) as connection:
            return connection.execute(sql, params).fetchall()


class Browser:
    """A person's session on one instance, through its forms (CSRF tokens included)."""

    def __init__(self, base: str, username: str):
        self.base = base
        self.session = requests.Session()
        self.post("/auth/login", username=username, password=PASSWORD)

    def get(self, path: str, **options) -> requests.Response:
        return self.session.get(self.base + path, timeout=20, **options)

    def post(self, path: str, **fields) -> requests.Response:
        page = self.get("/auth/login" if path == "/auth/login" else "/index")
        response = self.session.post(
            self.base + path, data={"csrf_token": csrf_token_from(page.text), **fields}, timeout=20
        )
        assert response.status_code in (200, 302), response.text
        return response


def eventually(check: Callable[[], bool], what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {seconds}s: {what}")
        time.sleep(0.2)


def followers_of(instance: Instance, username: str) -> list[str]:
    page = requests.get(f"{instance.url}/user/{username}/followers?page=1", headers=ACTIVITY_JSON, timeout=10)
    return page.json()["orderedItems"]


def test_two_instances_follow_post_reply_like_delete_unfollow_and_block(tmp_path, test_hosts):
    a, b = Instance("a", tmp_path), Instance("b", tmp_path)
    with a.server, b.server:
        alice, bob = a.user("alice"), b.user("bob")
        alice_actor, bob_handle = f"{a.url}/user/alice", f"bob@{b.host}"

        # Alice finds bob by his handle and follows him; b records her, and its Accept reaches a.
        found = alice.get("/search", params={"q": f"@{bob_handle}"}, allow_redirects=False)
        assert found.status_code == 302 and found.headers["Location"].endswith(f"/user/{bob_handle}")
        alice.post(f"/follow/{bob_handle}")
        eventually(lambda: followers_of(b, "bob") == [alice_actor], "b records alice as bob's follower")
        eventually(
            lambda: any("#accepts/" in uri for (uri,) in a.rows("SELECT uri FROM received_activity")), "the Accept"
        )

        # Bob's post reaches alice's home timeline on a.
        bob.post("/index", post="Hello from b")
        eventually(lambda: "Hello from b" in alice.get("/index").text, "bob's post in alice's timeline")
        (bobs_post_on_b,) = b.rows("SELECT id FROM post")[0]
        ((kept_id, kept_uri),) = a.rows("SELECT id, uri FROM post WHERE uri IS NOT NULL")
        assert kept_uri == f"{b.url}/post/{bobs_post_on_b}"

        # Her reply is threaded under his post on both servers.
        alice.post(f"/post/{kept_id}", post="Hi bob, greetings from a")
        assert "Hi bob, greetings from a" in alice.get(f"/post/{kept_id}").text
        eventually(lambda: "Hi bob, greetings from a" in bob.get(f"/post/{bobs_post_on_b}").text, "the reply on b")
        assert b.rows("SELECT in_reply_to_id FROM post WHERE uri IS NOT NULL") == [(bobs_post_on_b,)]

        # Her like is counted on b.
        alice.post(f"/post/{kept_id}/like")
        eventually(lambda: b.rows("SELECT likes_count FROM post WHERE id = ?", bobs_post_on_b) == [(1,)], "the like")

        # Bob deletes his post (its reply keeps it as a tombstone on b): it goes from a too.
        bob.post(f"/post/{bobs_post_on_b}/delete")
        eventually(lambda: "Hello from b" not in alice.get("/index").text, "the delete on a")

        # Alice unfollows: b forgets her.
        alice.post(f"/unfollow/{bob_handle}")
        eventually(lambda: followers_of(b, "bob") == [], "the unfollow on b")

        # b blocks a's domain: a's next delivery is refused, and kept by a as failed.
        b.flask("federation", "block", "a.test")
        alice.post(f"/follow/{bob_handle}")
        eventually(lambda: a.rows("SELECT count(*) FROM failed_delivery") == [(1,)], "a's refused delivery")
        assert followers_of(b, "bob") == []
        assert "403" in a.rows("SELECT error FROM failed_delivery")[0][0]
