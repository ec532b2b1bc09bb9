"""Likes, reposts, replies and mentions across servers, both ways, through the site and the inbox.

The other server is the loopback peer; its account bob is found by a search first, and his note
reaches this server by a delivery of its Create, as when alice follows him.
"""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Post
from tests.functional.federation.activities import PUBLIC, create, deliver, found, signed_by
from tests.support.peers import ALICE, ORIGIN


@pytest.fixture
def bobs_note(client, reader, peer, bob):
    """Bob's note, kept here because alice follows him; the Follow's delivery is cleared."""
    found(reader, peer, bob)
    reader.post(f"/follow/bob@{peer.host}")
    peer.wait_for_deliveries(1)
    peer.deliveries.clear()
    deliver(client, peer, bob, create(bob, 1, "<p>Tea or coffee?</p>"))
    return db.session.scalar(sa.select(Post).where(Post.uri == f"{bob.uri}/statuses/1"))


def sent(peer, alice, count: int = 1) -> list[dict]:
    found = peer.wait_for_deliveries(count)
    assert len(found) == count, [delivery.activity for delivery in found]
    activities = [signed_by(delivery, alice) for delivery in found]
    peer.deliveries.clear()
    return activities


def test_liking_a_remote_note_sends_a_like_and_unliking_an_undo(reader, peer, bob, alice, bobs_note):
    reader.post(f"/post/{bobs_note.id}/like")
    (like,) = sent(peer, alice)
    assert like["type"] == "Like" and like["actor"] == ALICE and like["object"] == bobs_note.uri
    reader.post(f"/post/{bobs_note.id}/unlike")
    (undo,) = sent(peer, alice)
    assert undo["type"] == "Undo" and undo["object"]["type"] == "Like"
    assert undo["object"]["object"] == bobs_note.uri and undo["object"]["actor"] == ALICE


def test_reposting_a_remote_note_sends_an_announce_to_its_author(reader, peer, bob, alice, bobs_note):
    reader.post(f"/post/{bobs_note.id}/repost")
    (announce,) = sent(peer, alice)
    repost = db.session.scalar(sa.select(Post).where(Post.repost_of_id == bobs_note.id))
    assert announce["type"] == "Announce" and announce["object"] == bobs_note.uri
    assert announce["id"] == f"{ORIGIN}/post/{repost.id}/activity" and PUBLIC in announce["to"]
    reader.post(f"/post/{bobs_note.id}/unrepost")
    (undo,) = sent(peer, alice)
    assert undo["type"] == "Undo" and undo["object"] == {"id": announce["id"], "type": "Announce", "actor": ALICE}


def test_a_reply_to_a_remote_note_reaches_its_author_threaded(reader, peer, bob, alice, bobs_note):
    reader.post(f"/post/{bobs_note.id}", data={"post": "Tea, always"})
    (create_activity,) = sent(peer, alice)
    reply = create_activity["object"]
    assert create_activity["type"] == "Create" and create_activity["actor"] == ALICE
    assert reply["inReplyTo"] == bobs_note.uri
    assert bob.uri in reply["cc"]
    assert reply["content"] == "<p>Tea, always</p>"


def test_a_mention_of_a_remote_account_reaches_it_with_its_tag(reader, peer, bob, alice, bobs_note):
    reader.post("/index", data={"post": f"Ask @bob@{peer.host} about tea"})
    (create_activity,) = sent(peer, alice)
    mentioning = create_activity["object"]
    assert {"type": "Mention", "href": bob.uri, "name": f"@bob@{peer.host}"} in mentioning["tag"]
    assert bob.uri in mentioning["cc"]
    assert f'<a href="{bob.uri}" class="mention">@bob@{peer.host}</a>' in mentioning["content"]


def test_a_deleted_reply_or_mention_reaches_the_remote_account_too(reader, peer, bob, alice, bobs_note):
    reader.post(f"/post/{bobs_note.id}", data={"post": "Tea, always"})
    reader.post("/index", data={"post": f"Ask @bob@{peer.host}"})
    sent(peer, alice, 2)
    mine = list(db.session.scalars(sa.select(Post.id).where(Post.user_id == alice.id)))
    for post_id in mine:
        reader.post(f"/post/{post_id}/delete")
    deletes = sent(peer, alice, 2)
    assert [delete["type"] for delete in deletes] == ["Delete", "Delete"]
    assert {delete["object"]["id"] for delete in deletes} == {f"{ORIGIN}/post/{post_id}" for post_id in mine}


def test_a_remote_like_and_repost_are_counted_and_told(client, reader, peer, bob, alice):
    reader.post("/index", data={"post": "Tea is ready"})
    mine = db.session.scalar(sa.select(Post))
    note = f"{ORIGIN}/post/{mine.id}"
    deliver(client, peer, bob, {"id": f"{bob.uri}#likes/1", "type": "Like", "actor": bob.uri, "object": note})
    deliver(client, peer, bob, {"id": f"{bob.uri}#announces/1", "type": "Announce", "actor": bob.uri, "object": note})
    db.session.refresh(mine)
    assert (mine.likes_count, mine.reposts_count) == (1, 1)
    activity = reader.get("/activity").text
    assert f"bob@{peer.host}" in activity
    assert peer.deliveries == []  # what a remote account did here is not sent back to it

    undo_like = {"type": "Like", "actor": bob.uri, "object": note}
    deliver(client, peer, bob, {"id": f"{bob.uri}#undos/1", "type": "Undo", "actor": bob.uri, "object": undo_like})
    undo_announce = {"type": "Announce", "actor": bob.uri, "object": note}
    deliver(client, peer, bob, {"id": f"{bob.uri}#undos/2", "type": "Undo", "actor": bob.uri, "object": undo_announce})
    db.session.refresh(mine)
    assert (mine.likes_count, mine.reposts_count) == (0, 0)


def test_an_undo_of_someone_elses_like_changes_nothing(client, reader, peer, bob, alice):
    reader.post("/index", data={"post": "Tea is ready"})
    mine = db.session.scalar(sa.select(Post))
    note = f"{ORIGIN}/post/{mine.id}"
    deliver(client, peer, bob, {"id": f"{bob.uri}#likes/1", "type": "Like", "actor": bob.uri, "object": note})
    mallory = peer.actor("mallory")
    forged = {"type": "Like", "actor": bob.uri, "object": note}
    deliver(client, peer, mallory, {"id": f"{mallory.uri}#u", "type": "Undo", "actor": mallory.uri, "object": forged})
    db.session.refresh(mine)
    assert mine.likes_count == 1


def test_a_note_naming_a_local_account_is_kept_and_told(client, reader, peer, bob, alice):
    mention = {"type": "Mention", "href": ALICE, "name": "@alice@micro.test"}
    html = f'<p><a href="{ALICE}" class="u-url mention">@<span>alice</span></a> hello</p>'
    deliver(client, peer, bob, create(bob, 5, html, tag=[mention]))
    kept = db.session.scalar(sa.select(Post))
    assert kept.body == "@alice hello" and kept.author.username == f"bob@{peer.host}"
    assert "mentioned you" in reader.get("/activity").text


def test_an_actor_without_a_usable_name_is_heard_but_gets_no_account(client, peer, alice):
    eve = peer.actor("eve")
    peer.documents["/users/eve"] = {**eve.document(), "preferredUsername": "not a name!"}
    mention = {"type": "Mention", "href": ALICE, "name": "@alice@micro.test"}
    deliver(client, peer, eve, create(eve, 1, "<p>@alice hi</p>", tag=[mention]))
    deliver(client, peer, eve, {"id": f"{eve.uri}#likes/1", "type": "Like", "actor": eve.uri, "object": ALICE})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0


ODD_OBJECTS = [
    None,
    42,
    [],
    "not a url",
    {"type": "Note"},
    {"type": "Note", "id": ["x"], "attributedTo": {}, "content": 5, "to": "nobody"},
    {"type": "Note", "id": "x" * 600, "content": "<p>long id</p>", "to": [PUBLIC]},
    {"type": "Follow", "actor": None, "object": {}},
    {"type": "Like", "actor": {"id": 1}, "object": ["a"]},
    {"type": "Announce", "object": {"id": None}},
]


def test_odd_objects_are_taken_or_refused_never_an_error(client, peer, bob, alice):
    """Every kind acted on, with objects of the wrong shape: each answer is 2xx or 4xx (one app for all: fast)."""
    for kind in ("Create", "Update", "Delete", "Like", "Announce", "Undo", "Reject", "Accept"):
        for number, subject in enumerate(ODD_OBJECTS):
            activity = {"id": f"{bob.uri}#odd/{kind}/{number}", "type": kind, "actor": bob.uri, "object": subject}
            body, headers = peer.signed(bob, f"{ORIGIN}/inbox", activity)
            status = client.post("/inbox", data=body, headers=headers).status_code
            assert status in (202, 400, 403, 404), (kind, subject, status)
