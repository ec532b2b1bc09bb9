"""Mastodon's own payloads (tests/fixtures/activitypub, see SOURCES.md there) are taken as Mastodon sends them,
and what this server publishes has what Mastodon reads.

The fixtures are served and signed by the loopback peer: their host becomes the peer's and their
placeholder key the peer's real one.
"""

import json

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization

from app import conversations
from app.extensions import db
from app.models import Activity, ActivityKind, Post, RemoteActor, RemoteFollower
from tests.support.paths import ROOT
from tests.support.peers import ALICE, HOST, ORIGIN, Peer

FIXTURES = ROOT / "tests" / "fixtures" / "activitypub"
AP = {"Accept": "application/activity+json"}


@pytest.fixture
def mastodon():
    """The peer, serving Mastodon's actor fixture as its `ada`, signing with ada's real key."""
    with Peer() as peer:
        ada = peer.actor("ada")
        pem = ada.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        actor = fixture("mastodon_actor.json", peer)
        actor["publicKey"]["publicKeyPem"] = pem.decode()
        peer.documents["/users/ada"] = actor
        yield peer


def fixture(name: str, peer, note: str = "") -> dict:
    """A fixture on the peer's host, naming alice (and `note`, a local post's URL, where it names one)."""
    text = (FIXTURES / name).read_text()
    text = text.replace("NOTE: the test puts a local post's URL here", note)
    text = text.replace("https://files.mastodon.example", f"{peer.base}/files").replace(
        "https://mastodon.example", peer.base
    )
    text = text.replace("TARGET: the test puts the followed account's actor URL here", ALICE)
    return json.loads(text)


def deliver(client, peer, activity: dict, path: str = "/user/alice/inbox"):
    body, headers = peer.signed(peer.actor("ada"), ORIGIN + path, activity)
    return client.post(path, data=body, headers=headers)


def followers() -> list[str]:
    return list(db.session.scalars(sa.select(RemoteActor.uri).join(RemoteFollower)))


def test_mastodons_follow_undo_and_account_delete_are_taken(client, mastodon, alice):
    assert deliver(client, mastodon, fixture("mastodon_follow.json", mastodon)).status_code == 202
    assert followers() == [f"{mastodon.base}/users/ada"]
    actor = db.session.scalar(sa.select(RemoteActor))
    assert actor.username == "ada" and actor.shared_inbox == f"{mastodon.base}/inbox"
    (accept,) = mastodon.wait_for_deliveries(1)
    assert accept.path == "/users/ada/inbox"
    assert accept.activity["object"]["id"] == fixture("mastodon_follow.json", mastodon)["id"]

    assert deliver(client, mastodon, fixture("mastodon_undo_follow.json", mastodon)).status_code == 202
    assert followers() == []

    delete = fixture("mastodon_delete_actor.json", mastodon)
    assert deliver(client, mastodon, delete, path="/inbox").status_code == 202
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RemoteActor)) == 0


def test_mastodons_reply_like_and_boost_of_a_local_post_are_taken(client, mastodon, alice):
    asked = conversations.publish(alice, "Is tea better than coffee?", "en")
    db.session.commit()
    note = f"{ORIGIN}/post/{asked.id}"
    for name in ("mastodon_create_note.json", "mastodon_like.json", "mastodon_announce.json"):
        assert deliver(client, mastodon, fixture(name, mastodon, note), path="/inbox").status_code == 202

    reply = db.session.scalar(sa.select(Post).where(Post.uri.is_not(None)))
    assert reply.in_reply_to_id == asked.id and reply.language == "en"
    assert reply.body == "@alice Agreed! The notes are at https://example.com/notes/tea-brewing-guide #tea"
    assert reply.author.username == f"ada@{mastodon.host}"
    db.session.refresh(asked)
    assert (asked.replies_count, asked.likes_count, asked.reposts_count) == (1, 1, 1)
    told = set(db.session.scalars(sa.select(Activity.kind).where(Activity.user_id == alice.id)))
    assert told == {ActivityKind.REPLY, ActivityKind.LIKE, ActivityKind.REPOST}


def test_our_webfinger_answer_has_what_mastodons_has(client, alice):
    theirs = json.loads((FIXTURES / "mastodon_webfinger.json").read_text())
    ours = client.get(f"/.well-known/webfinger?resource=acct:alice@{HOST}").get_json()
    assert set(theirs) <= set(ours)
    self_link = next(link for link in theirs["links"] if link["rel"] == "self")
    assert {"rel": "self", "type": self_link["type"], "href": ALICE} in ours["links"]


# What Mastodon needs of an actor to follow it and check its signatures (it reads the others if present).
MASTODON_READS = {
    "id", "type", "preferredUsername", "name", "summary", "url", "inbox", "outbox", "followers", "following",
    "endpoints", "publicKey", "icon", "manuallyApprovesFollowers", "discoverable", "published",
}  # fmt: skip


def test_our_actor_has_the_fields_mastodon_reads(client, alice):
    theirs = json.loads((FIXTURES / "mastodon_actor.json").read_text())
    ours = client.get("/user/alice", headers=AP).get_json()
    assert set(theirs) >= MASTODON_READS  # the fixture is Mastodon's shape
    assert set(ours) >= MASTODON_READS
    assert set(theirs["publicKey"]) == set(ours["publicKey"])
    assert set(ours["endpoints"]) >= {"sharedInbox"}
    assert ours["@context"][:2] == theirs["@context"][:2]
