"""Other servers' documents, fetched with bounds, and the remote actors they describe, kept once fetched.

A fetch takes at most FETCH_SECONDS in all and MAX_DOCUMENT_BYTES of body, follows no redirect,
and never goes to this machine's own or private network (a peer's key URL is chosen by the peer:
it must not make this server probe its neighbours), unless FEDERATION_ALLOW_PRIVATE_PEERS is on
(tests, or servers federating on a private network).
"""

import ipaddress
import json
import logging
import socket
import time
from typing import Any
from urllib.parse import urldefrag, urlsplit

import requests
import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.federation import documents, keys
from app.federation.documents import ACTIVITY_JSON
from app.federation.signatures import sign
from app.models import RemoteActor, utcnow

log = logging.getLogger(__name__)

FETCH_SECONDS = 10
CONNECT_SECONDS = 3
MAX_DOCUMENT_BYTES = 1_000_000
# What the remote_actor table keeps of a URL and a host.
MAX_URI = 512
MAX_HOST = 255
ACTOR_TYPES = frozenset({"Person", "Service", "Application", "Group", "Organization"})
_ACCEPT = f'{ACTIVITY_JSON}, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


class FetchFailed(Exception):
    """A remote document could not be had, or is not what it claims; `str()` says why."""


def host_of(url: str) -> str:
    """The host (and port) part of a URL, lower-cased ("" for what is no URL)."""
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:  # an unclosed IPv6 bracket, say
        return ""


def fetch_document(url: str) -> dict[str, Any]:
    """GET an ActivityPub document; FetchFailed for a refused address, an error, a timeout or a bad body."""
    check_address(url)
    deadline = time.monotonic() + FETCH_SECONDS
    signed = _fetch_signature(url)
    try:
        with requests.get(
            url,
            headers={"Accept": _ACCEPT, "User-Agent": "Microblog (+federation)", **signed},
            timeout=(CONNECT_SECONDS, FETCH_SECONDS),
            stream=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 200:
                raise FetchFailed(f"{url} answered {response.status_code}")
            body = bytearray()
            for chunk in response.iter_content(16384):
                body += chunk
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise FetchFailed(f"{url} sent more than {MAX_DOCUMENT_BYTES} bytes")
                if time.monotonic() > deadline:
                    raise FetchFailed(f"{url} took more than {FETCH_SECONDS} s")
    except requests.RequestException as error:
        raise FetchFailed(f"{url} could not be fetched: {error.__class__.__name__}") from error
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as error:  # RecursionError: nested too deep to read
        raise FetchFailed(f"{url} sent no JSON") from error
    if not isinstance(document, dict):
        raise FetchFailed(f"{url} sent no JSON object")
    return document


def _fetch_signature(url: str) -> dict[str, str]:
    """The headers that sign a fetch as the instance actor: servers in Mastodon's secure mode answer no other.

    None (an unsigned fetch, which other servers answer) when the instance key does not open.
    """
    key = keys.instance_key()
    try:
        private = keys.unseal(key.private_key_sealed, "the instance key")
    except keys.KeyUnusable:
        log.warning("the instance key does not open under this SECRET_KEY: fetching unsigned")
        return {}
    return sign("GET", url, None, documents.instance_key_url(), private)


def actor_for_key(key_id: str, refresh: bool = False) -> RemoteActor:
    """Return the remote actor whose key `key_id` names, fetching it the first time (or when `refresh`).

    The key must belong to the actor that publishes it, on the same host as the key's URL, so that
    no server can vouch for a key of another's. The caller commits.
    """
    actor = db.session.scalar(sa.select(RemoteActor).where(RemoteActor.key_id == key_id))
    if actor is not None and not refresh:
        return actor
    document = fetch_document(urldefrag(key_id).url)
    if document.get("type") not in ACTOR_TYPES:
        # A key of its own (with an `owner`), as some servers publish: the actor is at its owner.
        owner = document.get("owner")
        if not isinstance(owner, str) or host_of(owner) != host_of(key_id):
            raise FetchFailed(f"the key {key_id} names no actor on its own host")
        document = fetch_document(owner)
    return _store_actor(document, key_id)


def store_actor(document: dict[str, Any]) -> RemoteActor:
    """Keep the actor `document` describes, with the key it publishes; FetchFailed when it is no actor."""
    if document.get("type") not in ACTOR_TYPES:
        raise FetchFailed(f"{str(document.get('id'))[:MAX_URI]} is not an actor")
    keys = document.get("publicKey")
    key = keys[0] if isinstance(keys, list) and keys else keys
    key_id = key.get("id") if isinstance(key, dict) else None
    if not isinstance(key_id, str) or len(key_id) > MAX_URI:
        raise FetchFailed(f"{str(document.get('id'))[:MAX_URI]} publishes no key")
    return _store_actor(document, key_id)


def _store_actor(document: dict[str, Any], key_id: str) -> RemoteActor:
    uri = document.get("id")
    if not isinstance(uri, str) or not host_of(uri) or host_of(uri) != host_of(key_id):
        raise FetchFailed(f"the actor of {key_id} is not on the key's host")
    if len(uri) > MAX_URI or len(host_of(uri)) > MAX_HOST:
        raise FetchFailed(f"the actor of {key_id} has too long a URL")
    keys = document.get("publicKey")
    keys = keys if isinstance(keys, list) else [keys]
    key = next((item for item in keys if isinstance(item, dict) and item.get("id") == key_id), None)
    if key is None or key.get("owner") != uri or not isinstance(key.get("publicKeyPem"), str):
        raise FetchFailed(f"{uri} does not publish the key {key_id} as its own")
    inbox = document.get("inbox")
    if not isinstance(inbox, str) or host_of(inbox) != host_of(uri) or len(inbox) > MAX_URI:
        raise FetchFailed(f"{uri} has no inbox on its own host")
    endpoints = document.get("endpoints") if isinstance(document.get("endpoints"), dict) else {}
    shared = endpoints.get("sharedInbox")
    values = {
        "key_id": key_id,
        "public_key_pem": key["publicKeyPem"],
        "domain": host_of(uri),
        "username": str(document.get("preferredUsername") or "")[:64],
        "inbox": inbox,
        "shared_inbox": shared
        if isinstance(shared, str) and host_of(shared) == host_of(uri) and len(shared) <= MAX_URI
        else None,
        "fetched_at": utcnow(),
    }
    actor = db.session.scalar(sa.select(RemoteActor).where(RemoteActor.uri == uri))
    if actor is None:
        actor = RemoteActor(uri=uri, **values)
        db.session.add(actor)
    else:
        for name, value in values.items():
            setattr(actor, name, value)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        # Another request stored this actor (or key) first: theirs serves, as it came from the same place.
        db.session.rollback()
        actor = db.session.scalar(sa.select(RemoteActor).where(RemoteActor.key_id == key_id))
        if actor is None:
            raise FetchFailed(f"{uri} could not be stored") from None
    return actor


def check_address(url: str) -> None:
    """Refuse a URL that is not http(s), or whose host resolves to a private or local address."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise FetchFailed(f"{url!r} is not an http(s) URL")
    if current_app.config.get("FEDERATION_ALLOW_PRIVATE_PEERS"):
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except (OSError, UnicodeError) as error:
        raise FetchFailed(f"{parts.hostname} does not resolve") from error
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global:
            raise FetchFailed(f"{parts.hostname} resolves to a private or local address")
