"""Accounts of other servers in the site: found by @name@host, followed, their notes in the timeline.

The other server is the loopback peer (tests/support/peers.py): it answers WebFinger, serves
its actors and outboxes, records what it is sent and signs what it delivers, as Mastodon would.
"""

from datetime import timedelta

import sqlalchemy as sa
from werkzeug.datastructures import Headers

from app.extensions import db
from app.federation.signatures import verify
from app.models import Activity, Post, RemoteActor, Report, Role, User, utcnow
from app.moderation.overview import counts, daily_activity
from tests.functional.federation.activities import create, deliver, found, note, signed_by
from tests.support.auth import signed_in
from tests.support.factories import UserFactory
from tests.support.peers import ALICE, ORIGIN


def give_outbox(peer, actor, *notes):
    items = [{"id": f"{item['id']}/activity", "type": "Create", "actor": actor.uri, "object": item} for item in notes]
    # The peer matches paths without their query: the first page has a path of its own.
    peer.documents[f"/users/{actor.username}/outbox"] = {
        "id": f"{actor.uri}/outbox",
        "type": "OrderedCollection",
        "first": f"{actor.uri}/outbox/page",
    }
    peer.documents[f"/users/{actor.username}/outbox/page"] = {"type": "OrderedCollectionPage", "orderedItems": items}


def test_searching_a_handle_finds_the_account_with_its_recent_public_posts(reader, peer, bob):
    give_outbox(
        peer,
        bob,
        note(bob, 1, '<p>Hello from <a href="https://example.com/x">the other side</a><script>alert(1)</script></p>'),
        note(bob, 2, "<p>only for my followers</p>", to=[f"{bob.uri}/followers"], cc=[]),
    )
    page = found(reader, peer, bob)
    assert page.status_code == 200
    assert f"bob@{peer.host}" in page.text
    assert f"An account of {peer.host}" in page.text
    assert 'Hello from the other side (<a href="https://example.com/x" rel="nofollow noopener ugc">' in page.text
    assert "alert(1)" not in page.text and "<script>" not in page.text
    assert "only for my followers" not in page.text
    assert "Send private message" not in page.text
    user = db.session.scalar(User.by_username(f"bob@{peer.host}"))
    assert user.domain == peer.host and user.email is None and user.password_hash is None


def test_a_handle_no_server_knows_is_a_message_not_an_error(reader, peer):
    response = reader.get("/search", query_string={"q": f"@nobody@{peer.host}"}, follow_redirects=True)
    assert response.status_code == 200
    assert "could not be found" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RemoteActor)) == 0


def test_a_handle_on_a_blocked_domain_is_not_fetched(app, reader, peer, bob):
    reader.application.test_cli_runner().invoke(args=["federation", "block", peer.host.split(":")[0]])
    response = reader.get("/search", query_string={"q": f"@bob@{peer.host}"}, follow_redirects=True)
    assert "could not be found" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RemoteActor)) == 0


def test_a_handle_of_this_server_finds_the_local_account(reader, alice):
    response = reader.get("/search", query_string={"q": "@alice@micro.test"})
    assert response.location == "/user/alice"


def test_following_sends_a_signed_follow_and_unfollowing_an_undo(reader, peer, bob, alice):
    found(reader, peer, bob)
    response = reader.post(f"/follow/bob@{peer.host}", follow_redirects=True)
    assert "You are following" in response.text
    (delivery,) = peer.wait_for_deliveries(1)
    assert delivery.path == "/users/bob/inbox"
    follow = signed_by(delivery, alice)
    assert follow["type"] == "Follow" and follow["actor"] == ALICE and follow["object"] == bob.uri
    remote = db.session.scalar(User.by_username(f"bob@{peer.host}"))
    assert remote.followers_count() == 1 and alice.following_count() == 1
    # The remote account is told by its server, not by an activity entry here.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0

    peer.deliveries.clear()
    reader.post(f"/unfollow/bob@{peer.host}")
    (delivery,) = peer.wait_for_deliveries(1)
    undo = signed_by(delivery, alice)
    assert undo["type"] == "Undo" and undo["object"]["type"] == "Follow"
    assert undo["object"]["actor"] == ALICE and undo["object"]["object"] == bob.uri
    assert remote.followers_count() == 0


def test_a_followed_accounts_notes_reach_the_home_timeline(client, reader, peer, bob):
    found(reader, peer, bob)
    reader.post(f"/follow/bob@{peer.host}")
    accept = {"id": f"{bob.uri}#accepts/1", "type": "Accept", "actor": bob.uri, "object": {"type": "Follow"}}
    deliver(client, peer, bob, accept)
    deliver(
        client,
        peer,
        bob,
        create(bob, 7, '<p>Fresh <a href="https://x.test/tags/news" class="mention hashtag">#news</a></p>'),
    )
    home = reader.get("/index").text
    assert "Fresh" in home and f"bob@{peer.host}" in home
    assert 'href="/tag/news"' in home  # its hashtag is one of this server's

    deliver(client, peer, bob, {**create(bob, 7, "<p>Fresh, edited</p>"), "type": "Update", "id": f"{bob.uri}/u/1"})
    assert "Fresh, edited" in reader.get("/index").text
    deliver(
        client,
        peer,
        bob,
        {"id": f"{bob.uri}/d/1", "type": "Delete", "actor": bob.uri, "object": note(bob, 7, "")["id"]},
    )
    assert "Fresh" not in reader.get("/index").text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0


def test_a_note_of_an_account_no_one_here_follows_is_not_kept(client, peer, bob, alice):
    deliver(client, peer, bob, create(bob, 1, "<p>spam to everyone</p>"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0


def test_another_actor_cannot_edit_or_delete_a_note(client, reader, peer, bob):
    found(reader, peer, bob)
    reader.post(f"/follow/bob@{peer.host}")
    deliver(client, peer, bob, create(bob, 1, "<p>mine</p>"))
    mallory = peer.actor("mallory")
    forged = {**create(bob, 1, "<p>forged</p>"), "id": f"{mallory.uri}/u", "type": "Update", "actor": mallory.uri}
    deliver(client, peer, mallory, forged)
    deliver(
        client,
        peer,
        mallory,
        {"id": f"{mallory.uri}/d", "type": "Delete", "actor": mallory.uri, "object": note(bob, 1, "")["id"]},
    )
    assert [post.body for post in db.session.scalars(sa.select(Post))] == ["mine"]


def test_a_reply_to_a_local_post_joins_its_thread_and_tells_its_author(client, reader, peer, bob, alice):
    reader.post("/index", data={"post": "Anyone out there?"})
    asked = db.session.scalar(sa.select(Post))
    deliver(client, peer, bob, create(bob, 3, "<p>Yes, over here</p>", inReplyTo=f"{ORIGIN}/post/{asked.id}"))
    thread = reader.get(f"/post/{asked.id}").text
    assert "Yes, over here" in thread
    assert "replied" in reader.get("/activity").text.lower()


def test_a_reject_ends_the_follow_without_a_reply(client, reader, peer, bob, alice):
    found(reader, peer, bob)
    reader.post(f"/follow/bob@{peer.host}")
    peer.wait_for_deliveries(1)
    peer.deliveries.clear()
    reject = {
        "id": f"{bob.uri}#rejects/1",
        "type": "Reject",
        "actor": bob.uri,
        "object": {"type": "Follow", "actor": ALICE, "object": bob.uri},
    }
    deliver(client, peer, bob, reject)
    assert alice.following_count() == 0
    assert peer.wait_for_deliveries(1, seconds=0.5) == []


def test_a_deleted_remote_account_goes_with_its_posts(client, reader, peer, bob):
    found(reader, peer, bob)
    reader.post(f"/follow/bob@{peer.host}")
    deliver(client, peer, bob, create(bob, 1, "<p>last words</p>"))
    deliver(client, peer, bob, {"id": f"{bob.uri}#delete", "type": "Delete", "actor": bob.uri, "object": bob.uri})
    assert db.session.scalar(User.by_username(f"bob@{peer.host}")) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0
    assert reader.get(f"/user/bob@{peer.host}").status_code == 404


def test_blocking_a_domain_suspends_its_accounts(app, reader, peer, bob):
    found(reader, peer, bob)
    app.test_cli_runner().invoke(args=["federation", "block", peer.host.split(":")[0]])
    db.session.expire_all()
    assert db.session.scalar(User.by_username(f"bob@{peer.host}")).is_suspended
    assert reader.get(f"/user/bob@{peer.host}").status_code == 404


def test_a_mention_of_a_known_remote_account_links_to_its_profile(reader, peer, bob):
    found(reader, peer, bob)
    posted = reader.post("/index", data={"post": f"hello @bob@{peer.host}"})
    assert posted.status_code == 302, posted.text
    home = reader.get("/index").text
    assert f'href="/user/bob@{peer.host}" class="mention"' in home


def test_a_remote_account_cannot_be_messaged_or_sign_in(app, reader, peer, bob):
    found(reader, peer, bob)
    assert reader.get(f"/send_message/bob@{peer.host}").status_code == 404
    remote = db.session.scalar(User.by_username(f"bob@{peer.host}"))
    token = UserFactory(username="carol").get_token()
    db.session.commit()
    answer = app.test_client().post(
        "/api/messages", json={"recipient_id": remote.id, "body": "hi"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 400
    login = app.test_client().post("/auth/login", data={"username": f"bob@{peer.host}", "password": "anything"})
    assert login.status_code == 302 and login.location.startswith("/auth/login")


def test_nodeinfo_counts_only_this_servers_accounts(client, reader, peer, bob):
    found(reader, peer, bob)
    usage = client.get("/nodeinfo/2.1").json["usage"]
    assert usage["users"]["total"] == 1


def test_a_kept_note_is_not_served_as_this_servers_own(client, reader, peer, bob):
    found(reader, peer, bob)
    reader.post(f"/follow/bob@{peer.host}")
    deliver(client, peer, bob, create(bob, 1, "<p>served by its own server</p>"))
    kept = db.session.scalar(sa.select(Post))
    answer = client.get(f"/post/{kept.id}", headers={"Accept": "application/activity+json"})
    assert answer.status_code == 404


def test_fetches_are_signed_by_the_instance_actor(client, reader, peer, bob):
    found(reader, peer, bob)
    server = client.get("/actor", headers={"Accept": "application/activity+json"}).json
    assert server["type"] == "Application" and server["id"] == f"{ORIGIN}/actor"
    assert server["publicKey"]["id"] == f"{ORIGIN}/actor#main-key" and server["publicKey"]["owner"] == server["id"]
    public_key = server["publicKey"]["publicKeyPem"]
    assert peer.fetches, "nothing was fetched"
    for fetch in peer.fetches:
        signature = verify("GET", fetch.path, Headers(fetch.headers), b"", lambda key_id: public_key)
        assert signature.key_id == f"{ORIGIN}/actor#main-key"


def test_a_report_on_a_remote_account_may_be_forwarded_as_a_flag(client, reader, peer, bob):
    found(reader, peer, bob)
    form = reader.get(f"/user/bob@{peer.host}/report").text
    assert "Also send the report to its server" in form
    reader.post(f"/user/bob@{peer.host}/report", data={"reason": "spam", "comment": "ads everywhere", "forward": "y"})
    (delivery,) = peer.wait_for_deliveries(1)
    assert delivery.path == "/inbox"
    public_key = client.get("/actor", headers={"Accept": "application/activity+json"}).json["publicKey"]["publicKeyPem"]
    verify("POST", delivery.path, Headers(delivery.headers), delivery.body, lambda key_id: public_key)
    flag = delivery.activity
    assert flag["type"] == "Flag" and flag["actor"] == f"{ORIGIN}/actor"
    assert flag["object"] == [bob.uri] and flag["content"] == "ads everywhere"
    assert "alice" not in delivery.body.decode()


def test_a_report_not_forwarded_stays_here(reader, peer, bob, alice):
    found(reader, peer, bob)
    reader.post(f"/user/bob@{peer.host}/report", data={"reason": "spam"})
    assert peer.wait_for_deliveries(1, seconds=0.5) == []
    UserFactory(username="carol")
    assert "Also send the report" not in reader.get("/user/carol/report").text


def test_the_api_looks_up_a_remote_account_and_follows_it(app, peer, bob, alice):
    token = alice.get_token()
    db.session.commit()
    api = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    found_account = api.get("/api/users/lookup", query_string={"acct": f"@bob@{peer.host}"}, headers=auth)
    assert found_account.status_code == 200, found_account.json
    assert found_account.json["username"] == f"bob@{peer.host}" and found_account.json["domain"] == peer.host
    assert api.post(f"/api/users/{found_account.json['id']}/follow", headers=auth).status_code == 204
    (delivery,) = peer.wait_for_deliveries(1)
    assert delivery.activity["type"] == "Follow" and delivery.activity["object"] == bob.uri

    assert api.get("/api/users/lookup", query_string={"acct": "alice@micro.test"}, headers=auth).json["domain"] is None
    unknown = api.get("/api/users/lookup", query_string={"acct": f"nobody@{peer.host}"}, headers=auth)
    assert unknown.status_code == 404 and "could not be found" in unknown.json["message"]
    assert api.get("/api/users/lookup", query_string={"acct": "no address"}, headers=auth).status_code == 400


def test_the_overview_counts_only_this_servers_accounts_and_posts(client, reader, peer, bob):
    found(reader, peer, bob)
    reader.post(f"/follow/bob@{peer.host}")
    deliver(client, peer, bob, create(bob, 1, "<p>from afar</p>"))
    figures = counts()
    assert (figures[0], figures[1]) == (1, 0)
    assert sum(day.signups for day in daily_activity()) == 1 and sum(day.posts for day in daily_activity()) == 0


def test_a_moderator_suspends_a_remote_account_from_its_report(app, client, reader, peer, bob):
    found(reader, peer, bob)
    reader.post(f"/follow/bob@{peer.host}")
    deliver(client, peer, bob, create(bob, 1, "<p>buy my pills</p>"))
    assert "buy my pills" in reader.get("/index").text
    reader.post(f"/user/bob@{peer.host}/report", data={"reason": "spam"})
    UserFactory(username="mod", role=Role.MODERATOR)
    (report,) = db.session.scalars(sa.select(Report))
    answer = signed_in(app, "mod").post(f"/moderation/reports/{report.id}/suspend", data={"why": "spam from afar"})
    assert answer.status_code == 302
    assert "buy my pills" not in reader.get("/index").text
    assert reader.get(f"/user/bob@{peer.host}").status_code == 404
    # What his server sends is still taken, and stays hidden.
    deliver(client, peer, bob, create(bob, 2, "<p>more pills</p>"))
    assert "more pills" not in reader.get("/index").text


def test_an_update_of_the_account_changes_its_profile_here(client, reader, peer, bob):
    found(reader, peer, bob)
    changed = {**bob.document(), "summary": "<p>Now brewing <b>oolong</b></p>"}
    peer.documents["/users/bob"] = changed
    deliver(client, peer, bob, {"id": f"{bob.uri}#updates/1", "type": "Update", "actor": bob.uri, "object": changed})
    assert "Now brewing oolong" in reader.get(f"/user/bob@{peer.host}").text


def test_a_notes_images_are_kept_as_links_with_their_descriptions(client, reader, peer, bob):
    found(reader, peer, bob)
    reader.post(f"/follow/bob@{peer.host}")
    images = [
        {"type": "Document", "mediaType": "image/png", "url": "https://files.example/cat.png", "name": "A cat & a dog"},
        {"type": "Image", "url": [{"type": "Link", "href": "https://files.example/sea.jpg"}], "name": None},
        {"type": "Document", "url": "javascript:alert(1)", "name": "no"},
    ]
    deliver(client, peer, bob, create(bob, 1, "<p>Look</p>", attachment=images))
    kept = db.session.scalar(sa.select(Post))
    assert kept.body == "Look\n\nA cat & a dog: https://files.example/cat.png\nhttps://files.example/sea.jpg"
    home = reader.get("/index").text
    assert '<a href="https://files.example/cat.png" rel="nofollow noopener ugc">' in home
    assert "<img" not in home.split("Look", 1)[1].split("</article>", 1)[0]


def test_an_account_whose_actor_moved_is_found_again(client, reader, peer, bob):
    found(reader, peer, bob)
    db.session.execute(sa.update(RemoteActor).values(uri=f"{bob.uri}-old", key_id=f"{bob.uri}-old#main-key"))
    db.session.execute(sa.update(RemoteActor).values(fetched_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    assert found(reader, peer, bob).status_code == 200
    actors = db.session.execute(sa.select(RemoteActor.uri, RemoteActor.user_id).order_by(RemoteActor.id)).all()
    account = db.session.scalar(User.by_username(f"bob@{peer.host}"))
    assert [tuple(row) for row in actors] == [(f"{bob.uri}-old", None), (bob.uri, account.id)]
