"""A remote fediverse server for the federation tests: real HTTP on loopback, actors with real keys.

`Peer` serves its actors' documents and WebFinger (and any extra document a test puts at a path),
records what is delivered to its inboxes, and signs activities as its actors, as Mastodon would.
"""

import json
import threading
import time
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app.federation.signatures import sign
from tests.support.apps import make_app


@dataclass
class PeerActor:
    username: str
    key: rsa.RSAPrivateKey
    base: str

    @property
    def uri(self) -> str:
        return f"{self.base}/users/{self.username}"

    @property
    def key_id(self) -> str:
        return f"{self.uri}#main-key"

    @property
    def inbox(self) -> str:
        return f"{self.uri}/inbox"

    def document(self) -> dict:
        public = self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.uri,
            "type": "Person",
            "preferredUsername": self.username,
            "inbox": self.inbox,
            "outbox": f"{self.uri}/outbox",
            "endpoints": {"sharedInbox": f"{self.base}/inbox"},
            "publicKey": {"id": self.key_id, "owner": self.uri, "publicKeyPem": public.decode()},
        }


@dataclass
class Delivery:
    path: str
    headers: dict
    body: bytes

    @property
    def activity(self) -> dict:
        return json.loads(self.body)


@dataclass
class Peer:
    """A fake remote server on 127.0.0.1; use as a context manager."""

    actors: dict = field(default_factory=dict)
    documents: dict = field(default_factory=dict)
    deliveries: list = field(default_factory=list)
    # The GETs it was sent (their headers carry the fetcher's signature).
    fetches: list = field(default_factory=list)
    # Paths that are never answered (the connection stays open): a server that hangs.
    hanging: set = field(default_factory=set)
    # Paths whose deliveries are answered 500 (a server in trouble); they are still recorded.
    failing: set = field(default_factory=set)
    _release: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> "Peer":
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.base = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._release.set()
        self._server.shutdown()

    @property
    def host(self) -> str:
        return self.base.split("://", 1)[1]

    def actor(self, username: str, new_key: bool = False) -> PeerActor:
        """The peer's actor `username` (made on first use); `new_key` gives it a key pair never used before."""
        if username not in self.actors or new_key:
            key = _new_key() if new_key else _kept_key(username)
            self.actors[username] = PeerActor(username, key, self.base)
        return self.actors[username]

    def signed(self, actor: PeerActor, url: str, activity: dict, key_id: str | None = None, **sign_options) -> tuple:
        """The body and headers with which `actor` delivers `activity` to `url`."""
        body = json.dumps(activity).encode()
        headers = sign("POST", url, body, key_id or actor.key_id, actor.key, **sign_options)
        headers["Content-Type"] = "application/activity+json"
        return body, headers

    def wait_for_deliveries(self, count: int, seconds: float = 10) -> list:
        deadline = time.monotonic() + seconds
        while len(self.deliveries) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.deliveries

    @Request.application
    def _app(self, request: Request) -> Response:
        if request.path in self.hanging:
            self._release.wait(30)
            return Response(status=504)
        if request.method == "GET":
            self.fetches.append(Delivery(request.full_path.rstrip("?"), dict(request.headers), b""))
        if request.method == "POST":
            self.deliveries.append(Delivery(request.full_path.rstrip("?"), dict(request.headers), request.get_data()))
            return Response(status=500 if request.path in self.failing else 202)
        if request.path in self.documents:
            return _json(self.documents[request.path])
        for actor in self.actors.values():
            if request.path == f"/users/{actor.username}":
                return _json(actor.document())
        if request.path == "/.well-known/webfinger":
            return self._webfinger(request.args.get("resource", ""))
        return Response(status=404)

    def _webfinger(self, resource: str) -> Response:
        name, _, host = resource.removeprefix("acct:").partition("@")
        actor = self.actors.get(name)
        if actor is None or host != self.host:
            return Response(status=404)
        link = {"rel": "self", "type": "application/activity+json", "href": actor.uri}
        return _json({"subject": resource, "links": [link]})


# The peers' actors' keys, by username, made once per test run (a 2048-bit key takes about 0.1 s).
_KEYS: dict[str, rsa.RSAPrivateKey] = {}


def _kept_key(username: str) -> rsa.RSAPrivateKey:
    if username not in _KEYS:
        _KEYS[username] = _new_key()
    return _KEYS[username]


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _json(document: dict) -> Response:
    return Response(json.dumps(document), content_type="application/activity+json")


# This server, as the federation tests name it.
HOST = "micro.test"
ORIGIN = f"https://{HOST}"
# The actor of the local account the federation tests make, alice.
ALICE = f"{ORIGIN}/user/alice"
FEDERATION_SETTINGS = {
    "FEDERATION": True,
    "SERVER_NAME": HOST,
    "PREFERRED_URL_SCHEME": "https",
    "FEDERATION_ALLOW_PRIVATE_PEERS": True,  # the peers live on loopback
    "FEDERATION_PEER_SCHEME": "http",  # and answer plain HTTP
}


def federated_app(database_file, **settings):
    """An app with federation on, on a database file: background deliveries' threads get connections of their own."""
    return make_app(f"sqlite:///{database_file}", **(FEDERATION_SETTINGS | settings))
