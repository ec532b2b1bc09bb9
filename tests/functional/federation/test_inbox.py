"""The inbox, delivered to over real HTTP signatures by a remote server on loopback (tests/support/peers.py).

A remote actor's key is fetched from the peer over HTTP; the Accept this server sends back is
delivered to the peer's inbox by the background delivery, signed, and checked here.
"""

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import Headers

from app.extensions import db
from app.federation import domains, key_for, remote
from app.federation.signatures import sign, verify
from app.models import ReceivedActivity, RemoteActor, RemoteFollower
from tests.support.factories import UserFactory
from tests.support.peers import ALICE, ORIGIN, federated_app


def follow_of(actor, number: int = 1) -> dict:
    return {"id": f"{actor.uri}/follows/{number}", "type": "Follow", "actor": actor.uri, "object": ALICE}


def deliver(client, peer, actor, activity, path="/user/alice/inbox", **options):
    body, headers = peer.signed(actor, ORIGIN + path, activity, **options)
    return client.post(path, data=body, headers=headers)


def remote_followers() -> list[tuple[int, str]]:
    rows = db.session.execute(sa.select(RemoteFollower.user_id, RemoteActor.uri).join(RemoteActor))
    return sorted(tuple(row) for row in rows)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_follow_is_recorded_and_answered_with_a_signed_accept(client, peer, alice):
    bob = peer.actor("bob")
    response = deliver(client, peer, bob, follow_of(bob))
    assert response.status_code == 202, response.data
    assert remote_followers() == [(alice.id, bob.uri)]
    (accept,) = peer.wait_for_deliveries(1)
    assert accept.path == "/users/bob/inbox"
    assert accept.activity["type"] == "Accept" and accept.activity["actor"] == ALICE
    assert accept.activity["object"]["id"] == follow_of(bob)["id"]
    # Signed with alice's key, as published in her actor.
    signature = verify(
        "POST", accept.path, Headers(accept.headers), accept.body, lambda key_id: key_for(alice).public_key_pem
    )
    assert signature.key_id == f"{ALICE}#main-key"


def test_the_shared_inbox_takes_it_too(client, peer, alice):
    bob = peer.actor("bob")
    assert deliver(client, peer, bob, follow_of(bob), path="/inbox").status_code == 202
    assert remote_followers() == [(alice.id, bob.uri)]


def test_a_replayed_activity_changes_nothing(client, peer, alice):
    bob = peer.actor("bob")
    body, headers = peer.signed(bob, ORIGIN + "/user/alice/inbox", follow_of(bob))
    assert client.post("/user/alice/inbox", data=body, headers=headers).status_code == 202
    assert client.post("/user/alice/inbox", data=body, headers=headers).status_code == 202
    assert remote_followers() == [(alice.id, bob.uri)]
    assert count(ReceivedActivity) == 1
    assert len(peer.wait_for_deliveries(1)) == 1
    time.sleep(0.2)
    assert len(peer.deliveries) == 1  # one Accept, for the one Follow applied


def test_undo_of_the_follow_removes_it(client, peer, alice):
    bob = peer.actor("bob")
    deliver(client, peer, bob, follow_of(bob))
    undo = {"id": f"{bob.uri}/undos/1", "type": "Undo", "actor": bob.uri, "object": follow_of(bob)}
    assert deliver(client, peer, bob, undo).status_code == 202
    assert remote_followers() == []


def test_the_key_is_fetched_once(client, peer, alice):
    bob = peer.actor("bob")
    deliver(client, peer, bob, follow_of(bob, 1))
    peer.actors.clear()  # the peer no longer answers for bob: the kept key must serve
    assert deliver(client, peer, bob, follow_of(bob, 2)).status_code == 202
    assert count(RemoteActor) == 1


def test_a_new_key_is_fetched_when_the_kept_one_fails(client, peer, alice):
    bob = peer.actor("bob")
    deliver(client, peer, bob, follow_of(bob, 1))
    peer.actors.clear()
    rotated = peer.actor("bob", new_key=True)  # same actor, a new key pair
    assert deliver(client, peer, rotated, follow_of(rotated, 2)).status_code == 202


# Hostile peers: every refusal changes nothing


def assert_nothing_changed():
    assert count(RemoteFollower) == 0
    assert count(ReceivedActivity) == 0


def test_an_unsigned_delivery_is_refused(client, peer, alice):
    bob = peer.actor("bob")
    body, headers = peer.signed(bob, ORIGIN + "/user/alice/inbox", follow_of(bob))
    del headers["Signature"]
    response = client.post("/user/alice/inbox", data=body, headers=headers)
    assert response.status_code == 401
    assert "not signed" in response.get_json()["message"]
    assert_nothing_changed()


def test_a_delivery_signed_with_another_key_is_refused(client, peer, alice):
    bob, mallory = peer.actor("bob"), peer.actor("mallory")
    body, headers = peer.signed(mallory, ORIGIN + "/user/alice/inbox", follow_of(bob), key_id=bob.key_id)
    assert client.post("/user/alice/inbox", data=body, headers=headers).status_code == 401
    assert_nothing_changed()


def test_an_activity_of_another_actor_than_the_signer_is_refused(client, peer, alice):
    bob, mallory = peer.actor("bob"), peer.actor("mallory")
    response = deliver(client, peer, mallory, follow_of(bob))
    assert response.status_code == 401
    assert "another actor" in response.get_json()["message"]
    assert_nothing_changed()


@pytest.mark.parametrize("minutes", [-6, 6])
def test_a_date_outside_five_minutes_is_refused(client, peer, alice, minutes):
    bob = peer.actor("bob")
    response = deliver(client, peer, bob, follow_of(bob), now=datetime.now(UTC) + timedelta(minutes=minutes))
    assert response.status_code == 401
    assert "five minutes" in response.get_json()["message"]
    assert_nothing_changed()


def test_a_digest_that_does_not_match_the_body_is_refused(client, peer, alice):
    bob = peer.actor("bob")
    body, headers = peer.signed(bob, ORIGIN + "/user/alice/inbox", follow_of(bob))
    tampered = body.replace(b"follows/1", b"follows/2")
    response = client.post("/user/alice/inbox", data=tampered, headers=headers)
    assert response.status_code == 401
    assert "Digest" in response.get_json()["message"]
    assert_nothing_changed()


def test_a_key_url_whose_actor_is_on_another_host_is_refused(client, peer, alice):
    bob = peer.actor("bob")
    # The peer publishes bob's key under an actor that claims to live elsewhere.
    impostor = bob.document() | {"id": "https://victim.example/users/bob"}
    impostor["publicKey"] = impostor["publicKey"] | {"id": f"{peer.base}/keys/bob", "owner": impostor["id"]}
    peer.documents["/keys/bob"] = impostor
    activity = {**follow_of(bob), "actor": impostor["id"]}
    response = deliver(client, peer, bob, activity, key_id=f"{peer.base}/keys/bob")
    assert response.status_code == 401
    assert "host" in response.get_json()["message"]
    assert count(RemoteActor) == 0
    assert_nothing_changed()


def test_an_oversized_delivery_is_refused_unread(client, peer, alice):
    bob = peer.actor("bob")
    activity = follow_of(bob) | {"padding": "x" * 300_000}
    response = deliver(client, peer, bob, activity)
    assert response.status_code == 413
    assert_nothing_changed()


def test_a_follow_of_an_unknown_account_is_a_404(client, peer, alice):
    bob = peer.actor("bob")
    activity = follow_of(bob) | {"object": f"{ORIGIN}/user/nobody"}
    assert deliver(client, peer, bob, activity, path="/inbox").status_code == 404
    assert_nothing_changed()
    assert deliver(client, peer, bob, follow_of(bob), path="/user/nobody/inbox").status_code == 404


def test_a_signed_body_that_is_no_activity_is_a_400(client, peer, alice):
    bob = peer.actor("bob")
    assert deliver(client, peer, bob, ["not", "an", "object"]).status_code == 400
    assert deliver(client, peer, bob, {"type": "Follow", "actor": bob.uri}).status_code == 400
    assert_nothing_changed()


def test_a_remote_that_never_answers_costs_a_bounded_wait(client, peer, alice, monkeypatch):
    monkeypatch.setattr(remote, "FETCH_SECONDS", 1)
    bob = peer.actor("bob")
    peer.hanging.add("/users/bob")
    started = time.monotonic()
    response = deliver(client, peer, bob, follow_of(bob))
    assert response.status_code == 401
    assert time.monotonic() - started < 5
    assert_nothing_changed()


def test_keys_on_private_addresses_are_not_fetched_unless_allowed(app):
    app.config["FEDERATION_ALLOW_PRIVATE_PEERS"] = False
    for url in ("http://127.0.0.1:9/users/x", "http://[::1]/users/x", "http://10.1.2.3/users/x", "file:///etc/passwd"):
        with pytest.raises(remote.FetchFailed):
            remote.fetch_document(url)


def test_the_inbox_is_rate_limited_per_remote_address(peer, tmp_path):
    limited = federated_app(tmp_path / "limited.db", RATELIMIT_ENABLED=True, FEDERATION_INBOX_LIMIT="2 per minute")
    with limited.app_context():
        UserFactory(username="alice")
        db.session.commit()
        client, bob = limited.test_client(), peer.actor("bob")
        statuses = [deliver(client, peer, bob, follow_of(bob, n)).status_code for n in range(3)]
        other = {"environ_overrides": {"REMOTE_ADDR": "10.9.8.7"}}
        body, headers = peer.signed(bob, ORIGIN + "/user/alice/inbox", follow_of(bob, 9))
        from_elsewhere = client.post("/user/alice/inbox", data=body, headers=headers, **other).status_code
        db.session.remove()
    assert statuses == [202, 202, 429]
    assert from_elsewhere == 202


def test_a_malformed_date_header_is_a_401_not_a_500(client, peer, alice):
    bob = peer.actor("bob")
    body, headers = peer.signed(bob, ORIGIN + "/user/alice/inbox", follow_of(bob))
    headers["Date"] = format_datetime(datetime(1900, 1, 1, tzinfo=UTC)).replace("1900", "99999")
    assert client.post("/user/alice/inbox", data=body, headers=headers).status_code == 401


def test_a_delivery_signed_for_another_host_is_refused(client, peer, alice):
    bob = peer.actor("bob")
    body, headers = peer.signed(bob, "https://elsewhere.example/user/alice/inbox", follow_of(bob))
    response = client.post("/user/alice/inbox", data=body, headers=headers)
    assert response.status_code == 401
    assert "another host" in response.get_json()["message"]
    assert_nothing_changed()


def test_undo_naming_the_follow_by_its_id_removes_it(client, peer, alice):
    bob = peer.actor("bob")
    deliver(client, peer, bob, follow_of(bob))
    undo = {"id": f"{bob.uri}/undos/1", "type": "Undo", "actor": bob.uri, "object": follow_of(bob)["id"]}
    assert deliver(client, peer, bob, undo).status_code == 202
    assert remote_followers() == []


def test_an_actor_cannot_undo_anothers_follow(client, peer, alice):
    bob, mallory = peer.actor("bob"), peer.actor("mallory")
    deliver(client, peer, bob, follow_of(bob))
    undo = {"id": f"{mallory.uri}/undos/1", "type": "Undo", "actor": mallory.uri, "object": follow_of(bob)}
    assert deliver(client, peer, mallory, undo).status_code == 403
    assert remote_followers() == [(alice.id, bob.uri)]


def test_activities_not_acted_on_are_taken_and_dropped(client, peer, alice):
    bob = peer.actor("bob")
    like = {"id": f"{bob.uri}/likes/1", "type": "Like", "actor": bob.uri, "object": f"{ORIGIN}/post/1"}
    assert deliver(client, peer, bob, like).status_code == 202
    assert count(RemoteFollower) == 0


# Accounts that change or go, and servers that are blocked


def test_a_remote_account_that_deletes_itself_is_forgotten_with_its_follows(client, peer, alice):
    bob = peer.actor("bob")
    deliver(client, peer, bob, follow_of(bob))
    delete = {"id": f"{bob.uri}#delete", "type": "Delete", "actor": bob.uri, "object": bob.uri}
    assert deliver(client, peer, bob, delete, path="/inbox").status_code == 202
    assert count(RemoteActor) == 0 and remote_followers() == []


def test_the_delete_of_an_account_never_known_costs_no_fetch(client, peer, alice):
    ghost = peer.actor("ghost")
    peer.actors.clear()  # gone from its server: fetching it would fail
    delete = {"id": f"{ghost.uri}#delete", "type": "Delete", "actor": ghost.uri, "object": ghost.uri}
    assert deliver(client, peer, ghost, delete, path="/inbox").status_code == 202
    assert count(RemoteActor) == 0


def test_an_update_of_the_account_fetches_it_again(client, peer, alice):
    bob = peer.actor("bob")
    deliver(client, peer, bob, follow_of(bob))
    peer.documents["/users/bob"] = bob.document() | {"inbox": f"{peer.base}/users/bob/new-inbox"}
    update = {"id": f"{bob.uri}#updates/1", "type": "Update", "actor": bob.uri, "object": bob.document()}
    assert deliver(client, peer, bob, update, path="/inbox").status_code == 202
    assert db.session.scalar(sa.select(RemoteActor.inbox)) == f"{peer.base}/users/bob/new-inbox"


def test_a_blocked_domain_is_refused_before_anything_is_fetched(client, peer, alice):
    domains.block(peer.host, "spam")
    db.session.commit()
    bob = peer.actor("bob")
    response = deliver(client, peer, bob, follow_of(bob))
    assert response.status_code == 403
    assert response.get_json()["message"] == "this server does not federate with yours"
    assert count(RemoteActor) == 0
    assert_nothing_changed()


def test_blocking_a_domain_ends_its_follows_and_unblocking_lets_it_back(client, peer, alice):
    bob = peer.actor("bob")
    deliver(client, peer, bob, follow_of(bob))
    domains.block(peer.host.upper() + ".")
    db.session.commit()
    assert count(RemoteActor) == 0 and remote_followers() == []
    assert domains.unblock(peer.host)
    db.session.commit()
    assert deliver(client, peer, bob, follow_of(bob, 2)).status_code == 202


def test_a_block_covers_subdomains(app):
    domains.block("spam.example")
    db.session.commit()
    assert domains.blocked("spam.example")
    assert domains.blocked("eu.spam.example:8443")
    assert not domains.blocked("notspam.example")
    assert not domains.blocked("example")


def test_a_body_nested_too_deep_is_a_400_not_a_500(client, peer, alice):
    bob = peer.actor("bob")
    body = b"[" * 100_000 + b"]" * 100_000
    headers = sign("POST", ORIGIN + "/user/alice/inbox", body, bob.key_id, bob.key)
    assert client.post("/user/alice/inbox", data=body, headers=headers).status_code == 400


@pytest.mark.parametrize("key_id", ["http://[::1/users/x#main-key", "not a url", "x" * 600])
def test_a_key_id_that_is_no_url_is_a_401_not_a_500(client, peer, alice, key_id):
    bob = peer.actor("bob")
    response = deliver(client, peer, bob, follow_of(bob), key_id=key_id)
    assert response.status_code == 401
    assert_nothing_changed()


def test_remote_followers_are_in_the_followers_collection_after_the_local_ones(client, peer, alice):
    carol = UserFactory(username="carol")
    db.session.commit()
    carol.follow(alice)
    db.session.commit()
    bob = peer.actor("bob")
    deliver(client, peer, bob, follow_of(bob))
    collection = client.get("/user/alice/followers", headers={"Accept": "application/activity+json"}).get_json()
    assert collection["totalItems"] == 2
    page = client.get("/user/alice/followers?page=1").get_json()
    assert page["orderedItems"] == [f"{ORIGIN}/user/carol", bob.uri]
    assert "next" not in page
