"""What a local account publishes reaches its remote followers: Create, Announce and Delete, signed.

The remote follower is the loopback peer's bob, who follows alice through the inbox first; the
deliveries are made by the background fan-out (threads here: tests/integration runs them on RQ).
"""

import time

import pytest
from werkzeug.datastructures import Headers

from app import accounts, conversations
from app.extensions import db
from app.federation import key_for
from app.federation.signatures import verify
from tests.support.factories import UserFactory
from tests.support.peers import ALICE, ORIGIN


@pytest.fixture
def alice(app, peer):
    """Alice, followed by the peer's bob (whose Follow was accepted)."""
    user = UserFactory(username="alice")
    db.session.commit()
    bob = peer.actor("bob")
    follow = {"id": f"{bob.uri}/follows/1", "type": "Follow", "actor": bob.uri, "object": ALICE}
    body, headers = peer.signed(bob, f"{ORIGIN}/user/alice/inbox", follow)
    assert app.test_client().post("/user/alice/inbox", data=body, headers=headers).status_code == 202
    peer.wait_for_deliveries(1)
    peer.deliveries.clear()  # the Accept
    return user


def delivered(peer, author, count: int = 1) -> list[dict]:
    """The activities the peer's shared inbox was sent, each checked to be signed with `author`'s key."""
    found = peer.wait_for_deliveries(count)
    assert len(found) == count, [delivery.activity for delivery in found]
    public_key = key_for(author).public_key_pem
    for delivery in found:
        assert delivery.path == "/inbox"
        verify("POST", delivery.path, Headers(delivery.headers), delivery.body, lambda key_id: public_key)
    return [delivery.activity for delivery in found]


def test_a_new_post_is_delivered_as_a_create_of_its_note(peer, alice):
    post = conversations.publish(alice, "Hello, fediverse #intro", "en")
    db.session.commit()
    (create,) = delivered(peer, alice)
    assert create["type"] == "Create" and create["actor"] == ALICE
    assert create["object"]["id"] == f"{ORIGIN}/post/{post.id}"
    assert create["object"]["content"].startswith("<p>Hello, fediverse")
    assert {"type": "Hashtag", "href": f"{ORIGIN}/tag/intro", "name": "#intro"} in create["object"]["tag"]


def test_a_deleted_post_is_delivered_as_a_delete(peer, alice):
    post = conversations.publish(alice, "soon gone", "en")
    db.session.commit()
    delivered(peer, alice)
    peer.deliveries.clear()
    conversations.delete(post)
    db.session.commit()
    (delete,) = delivered(peer, alice)
    assert delete["type"] == "Delete" and delete["object"] == {"id": f"{ORIGIN}/post/{post.id}", "type": "Tombstone"}


def test_a_repost_is_delivered_as_an_announce(peer, alice):
    other = conversations.publish(UserFactory(username="carol"), "worth sharing", "en")
    db.session.commit()
    conversations.repost(alice, other)
    (announce,) = delivered(peer, alice)
    assert announce["type"] == "Announce" and announce["object"] == f"{ORIGIN}/post/{other.id}"


def test_a_repost_taken_back_is_delivered_as_an_undo_of_its_announce(peer, alice):
    other = conversations.publish(UserFactory(username="carol"), "worth sharing", "en")
    db.session.commit()
    conversations.repost(alice, other)
    (announce,) = delivered(peer, alice)
    peer.deliveries.clear()
    conversations.unrepost(alice, other)
    (undo,) = delivered(peer, alice)
    assert undo["type"] == "Undo" and undo["actor"] == ALICE
    assert undo["object"] == {"id": announce["id"], "type": "Announce", "actor": ALICE}
    assert alice.posts_count() == 0


def test_nothing_is_sent_for_an_author_without_remote_followers_or_a_rolled_back_post(peer, alice):
    conversations.publish(UserFactory(username="carol"), "carol has no remote followers", "en")
    db.session.commit()
    conversations.publish(alice, "never published", "en")
    db.session.flush()
    db.session.rollback()
    time.sleep(0.5)
    assert peer.deliveries == []


def test_a_down_follower_server_does_not_slow_publishing(peer, alice):
    peer.hanging.add("/inbox")
    started = time.monotonic()
    conversations.publish(alice, "while bob's server hangs", "en")
    db.session.commit()
    assert time.monotonic() - started < 1  # the delivery waits on bob's server in the background


def test_a_failed_delivery_is_kept_and_sent_again_by_the_command(app, peer, alice):
    peer.failing.add("/inbox")
    post = conversations.publish(alice, "bob's server is in trouble", "en")
    db.session.commit()
    peer.wait_for_deliveries(1)
    runner = app.test_cli_runner()
    deadline = time.monotonic() + 5
    while "1 failed deliveries wait" not in runner.invoke(args=["federation", "deliver"]).output:
        assert time.monotonic() < deadline, "the failed delivery was not kept"
        time.sleep(0.05)
    peer.failing.clear()
    peer.deliveries.clear()
    result = runner.invoke(args=["federation", "deliver", "--retry"])
    assert result.exit_code == 0 and "1 failed deliveries sent again." in result.output
    (create,) = delivered(peer, alice)
    assert create["object"]["id"] == f"{ORIGIN}/post/{post.id}"
    assert "0 failed deliveries wait" in runner.invoke(args=["federation", "deliver"]).output


def test_a_deleted_account_tells_its_remote_followers_signed_with_its_old_key(app, peer, alice):
    public_key = key_for(alice).public_key_pem
    accounts.delete_account(alice)
    db.session.commit()
    (delivery,) = peer.wait_for_deliveries(1)
    assert delivery.path == "/inbox"
    verify("POST", delivery.path, Headers(delivery.headers), delivery.body, lambda key_id: public_key)
    assert delivery.activity["type"] == "Delete"
    assert delivery.activity["actor"] == delivery.activity["object"] == ALICE
