"""Federation's read side over HTTP: discovery, actors, notes and collections, as another server reads them.

Each document is checked for the fields Mastodon needs to follow an account and show its posts.
"""

import pytest

from app import conversations, media
from app.extensions import db
from app.federation import domains
from app.models import ActorKey, RemoteActor, RemoteFollower, Role, utcnow
from tests.support.apps import counting_queries, make_app, pushed
from tests.support.auth import signed_in
from tests.support.factories import UserFactory
from tests.support.images import image_bytes

HOST = "micro.test"
ORIGIN = f"https://{HOST}"
AP = {"Accept": "application/activity+json"}
# Mastodon's own Accept when it fetches an actor or a note.
MASTODON_ACCEPT = {
    "Accept": 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
}
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture
def app(uploads):
    yield from pushed(
        make_app(FEDERATION=True, SERVER_NAME=HOST, PREFERRED_URL_SCHEME="https", UPLOAD_DIR=str(uploads))
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def alice(app):
    user = UserFactory(username="Alice", about_me="Tea & <b>toast</b>")
    db.session.commit()
    return user


def get_activity(client, path: str, headers=AP, status: int = 200) -> dict:
    response = client.get(path, headers=headers)
    assert response.status_code == status, (path, response.status_code, response.data[:300])
    # A document is ActivityPub JSON (a Tombstone too); a refusal is plain JSON with `error` and `message`.
    expected = "application/json" if status in (400, 404) else "application/activity+json"
    assert response.mimetype == expected
    return response.get_json()


# Discovery


def test_webfinger_finds_an_account_by_its_address_in_any_case(client, alice):
    response = client.get(f"/.well-known/webfinger?resource=acct:alice@{HOST.upper()}")
    assert response.status_code == 200
    assert response.mimetype == "application/jrd+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    jrd = response.get_json()
    assert jrd["subject"] == f"acct:Alice@{HOST}"
    self_link = next(link for link in jrd["links"] if link["rel"] == "self")
    assert self_link == {"rel": "self", "type": "application/activity+json", "href": f"{ORIGIN}/user/Alice"}


def test_webfinger_also_takes_the_actor_url(client, alice):
    jrd = client.get(f"/.well-known/webfinger?resource={ORIGIN}/user/Alice").get_json()
    assert jrd["subject"] == f"acct:Alice@{HOST}"


@pytest.mark.parametrize(
    ("resource", "status"),
    [
        ("", 400),
        ("alice", 400),
        ("acct:alice", 400),
        ("acct:alice@elsewhere.example", 404),
        ("acct:nobody@" + HOST, 404),
        ("acct:" + "x" * 300 + "@" + HOST, 404),
        (f"{ORIGIN}/user/Alice/outbox", 400),
    ],
)
def test_webfinger_refuses_what_is_not_a_local_account(client, alice, resource, status):
    response = client.get("/.well-known/webfinger", query_string={"resource": resource})
    assert response.status_code == status
    assert response.get_json()["error"]


def test_a_suspended_account_is_not_found(client, alice):
    alice.suspended_at = utcnow()
    db.session.commit()
    assert client.get(f"/.well-known/webfinger?resource=acct:alice@{HOST}").status_code == 404
    assert get_activity(client, "/user/Alice", status=404)["error"] == "Not Found"


def test_nodeinfo_describes_the_server_from_the_counters(client, alice):
    conversations.publish(alice, "first", "en")
    db.session.commit()
    links = client.get("/.well-known/nodeinfo").get_json()["links"]
    assert links == [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": f"{ORIGIN}/nodeinfo/2.1"}]
    response = client.get("/nodeinfo/2.1")
    assert response.mimetype == "application/json"
    info = response.get_json()
    assert info["version"] == "2.1"
    assert info["software"]["name"] == "microblog"
    assert info["protocols"] == ["activitypub"]
    assert info["usage"]["users"]["total"] == 1
    assert info["usage"]["localPosts"] == 1


def test_host_meta_points_at_webfinger(client):
    response = client.get("/.well-known/host-meta")
    assert response.mimetype == "application/xrd+xml"
    assert f'template="{ORIGIN}/.well-known/webfinger?resource={{uri}}"' in response.get_data(as_text=True)


# The actor


@pytest.mark.parametrize("accept", [AP, MASTODON_ACCEPT])
def test_the_profile_url_answers_an_activitypub_client_with_the_actor(client, alice, accept):
    actor = get_activity(client, "/user/Alice", headers=accept)
    url = f"{ORIGIN}/user/Alice"
    assert actor["@context"][0] == "https://www.w3.org/ns/activitystreams"
    assert actor["id"] == url and actor["type"] == "Person"
    assert actor["preferredUsername"] == "Alice"
    assert actor["summary"] == "<p>Tea &amp; &lt;b&gt;toast&lt;/b&gt;</p>"
    for collection in ("inbox", "outbox", "followers", "following"):
        assert actor[collection] == f"{url}/{collection}"
    assert actor["endpoints"]["sharedInbox"] == f"{ORIGIN}/inbox"
    assert actor["icon"]["url"].startswith(ORIGIN + "/")
    assert actor["publicKey"]["id"] == f"{url}#main-key"
    assert actor["publicKey"]["owner"] == url
    assert actor["publicKey"]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")


def test_a_browser_still_gets_the_page_and_both_answers_vary_on_accept(client, alice):
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    response = client.get("/user/Alice", headers=browser)
    assert response.status_code == 302  # the profile page asks a visitor to sign in
    assert "Accept" in response.headers["Vary"]
    assert "Accept" in client.get("/user/Alice", headers=AP).headers["Vary"]


def test_the_key_pair_is_made_once_and_kept(client, alice):
    assert db.session.get(ActorKey, alice.id) is None
    first = get_activity(client, "/user/Alice")["publicKey"]["publicKeyPem"]
    again = get_activity(client, "/user/Alice")["publicKey"]["publicKeyPem"]
    assert first == again
    assert db.session.get(ActorKey, alice.id).public_key_pem == first


def test_an_unknown_account_is_a_json_404(client):
    assert get_activity(client, "/user/nobody", status=404)["message"]
    assert get_activity(client, "/user/bad%20name", status=404)["message"]


# Notes


def test_a_thread_url_answers_with_its_note(client, alice, app):
    bob = UserFactory(username="bob")
    db.session.commit()
    parent = conversations.publish(bob, "Who has the #Coffee?", "en")
    db.session.commit()
    reply = conversations.publish(alice, "@bob I do, see https://example.org/beans", "en", in_reply_to=parent)
    db.session.commit()
    note = get_activity(client, f"/post/{reply.id}")
    assert note["id"] == note["url"] == f"{ORIGIN}/post/{reply.id}"
    assert note["type"] == "Note"
    assert note["attributedTo"] == f"{ORIGIN}/user/Alice"
    assert note["inReplyTo"] == f"{ORIGIN}/post/{parent.id}"
    assert note["to"] == [PUBLIC] and note["cc"] == [f"{ORIGIN}/user/Alice/followers"]
    assert note["published"].endswith("Z")
    assert note["contentMap"] == {"en": note["content"]}
    assert f'<a href="{ORIGIN}/user/bob" class="mention">@bob</a>' in note["content"]
    assert '<a href="https://example.org/beans" rel="nofollow noopener ugc">' in note["content"]
    assert {"type": "Mention", "href": f"{ORIGIN}/user/bob", "name": f"@bob@{HOST}"} in note["tag"]
    tags = get_activity(client, f"/post/{parent.id}")["tag"]
    assert tags == [{"type": "Hashtag", "href": f"{ORIGIN}/tag/coffee", "name": "#coffee"}]


def test_the_text_is_escaped_and_only_its_links_are_html(client, alice):
    post = conversations.publish(alice, '<script>alert("x")</script> <b>bold</b>', "en")
    db.session.commit()
    content = get_activity(client, f"/post/{post.id}")["content"]
    assert "<script>" not in content and "<b>" not in content
    assert "&lt;script&gt;" in content


def test_images_are_attachments_with_their_alt_text(client, alice):
    image = media.store(alice, image_bytes("PNG", size=(40, 30)), "A cup, steaming")
    post = conversations.publish(alice, "Look", "en", media_ids=[image.id])
    db.session.commit()
    (attachment,) = get_activity(client, f"/post/{post.id}")["attachment"]
    assert attachment["type"] == "Document"
    assert attachment["name"] == "A cup, steaming"
    assert attachment["mediaType"] == image.content_type
    assert attachment["url"] == f"{ORIGIN}/media/{image.key}/original"
    assert (attachment["width"], attachment["height"]) == (image.width, image.height)


def test_a_deleted_post_with_replies_is_a_tombstone_and_one_without_is_gone(client, alice):
    answered, lone = conversations.publish(alice, "soon gone", "en"), conversations.publish(alice, "gone too", "en")
    db.session.commit()
    conversations.publish(UserFactory(username="bob"), "a reply", "en", in_reply_to=answered)
    db.session.commit()
    conversations.delete(answered)
    conversations.delete(lone)
    db.session.commit()
    tombstone = get_activity(client, f"/post/{answered.id}", status=410)
    assert tombstone["type"] == "Tombstone" and tombstone["id"] == f"{ORIGIN}/post/{answered.id}"
    assert get_activity(client, f"/post/{lone.id}", status=404)["error"] == "Not Found"
    assert get_activity(client, "/post/99999999999999999999", status=404)["error"] == "Not Found"


def test_a_suspended_authors_posts_are_not_served(client, alice):
    post = conversations.publish(alice, "hidden later", "en")
    alice.suspended_at = utcnow()
    db.session.commit()
    get_activity(client, f"/post/{post.id}", status=404)


# Collections


def test_the_outbox_pages_creates_and_announces_newest_first(client, alice):
    bob = UserFactory(username="bob")
    db.session.commit()
    shared = conversations.publish(bob, "worth sharing", "en")
    own = [conversations.publish(alice, f"post {n}", "en") for n in range(21)]
    db.session.commit()
    conversations.repost(alice, shared)
    db.session.commit()
    outbox = get_activity(client, "/user/Alice/outbox")
    assert outbox["type"] == "OrderedCollection"
    assert outbox["totalItems"] == 22
    first = get_activity(client, "/user/Alice/outbox?page=1")
    assert first["type"] == "OrderedCollectionPage" and first["partOf"] == f"{ORIGIN}/user/Alice/outbox"
    assert first["next"] == f"{ORIGIN}/user/Alice/outbox?page=2" and "prev" not in first
    items = first["orderedItems"]
    assert len(items) == 20
    announce = items[0]
    assert announce["type"] == "Announce" and announce["object"] == f"{ORIGIN}/post/{shared.id}"
    create = items[1]
    assert create["type"] == "Create" and create["actor"] == f"{ORIGIN}/user/Alice"
    assert create["object"]["id"] == f"{ORIGIN}/post/{own[-1].id}"
    assert create["to"] == [PUBLIC]
    second = get_activity(client, "/user/Alice/outbox?page=2")
    assert [item["object"]["id"] for item in second["orderedItems"]] == [
        f"{ORIGIN}/post/{own[1].id}",
        f"{ORIGIN}/post/{own[0].id}",
    ]
    assert "next" not in second and second["prev"] == f"{ORIGIN}/user/Alice/outbox?page=1"


def test_an_outbox_page_costs_the_same_queries_however_many_posts_it_holds(client, alice):
    def queries_for_page() -> int:
        with counting_queries() as counter:
            client.get("/user/Alice/outbox?page=1", headers=AP)
        return counter.count

    for n in range(2):
        conversations.publish(alice, f"#tag{n} @Alice {n}", "en")
    db.session.commit()
    few = queries_for_page()
    for n in range(15):
        conversations.publish(alice, f"#tag{n} @Alice {n}", "en")
    db.session.commit()
    assert queries_for_page() == few


def test_followers_and_following_list_local_actors(client, alice):
    bob, carol = UserFactory(username="bob"), UserFactory(username="carol")
    db.session.commit()
    bob.follow(alice)
    carol.follow(alice)
    alice.follow(bob)
    db.session.commit()
    followers = get_activity(client, "/user/Alice/followers")
    assert followers["totalItems"] == 2
    page = get_activity(client, "/user/Alice/followers?page=1")
    assert sorted(page["orderedItems"]) == [f"{ORIGIN}/user/bob", f"{ORIGIN}/user/carol"]
    assert get_activity(client, "/user/Alice/following?page=1")["orderedItems"] == [f"{ORIGIN}/user/bob"]


@pytest.mark.parametrize("page", ["0", "-1", "abc", "501", "1e3"])
def test_a_collection_page_out_of_range_is_a_400(client, alice, page):
    response = client.get(f"/user/Alice/outbox?page={page}", headers=AP)
    assert response.status_code == 400
    assert "page" in response.get_json()["message"]


# Off by default


def test_federation_off_adds_no_route(uploads):
    app = make_app()
    assert not any(rule.endpoint.startswith("federation.") for rule in app.url_map.iter_rules())
    with app.app_context():
        client = app.test_client()
        assert client.get(f"/.well-known/webfinger?resource=acct:alice@{HOST}").status_code == 404
        assert client.get("/nodeinfo/2.1").status_code == 404
        UserFactory(username="alice")
        db.session.commit()
        # The profile URL is the site's page whatever the client asks for.
        assert client.get("/user/alice", headers=AP).status_code == 302
        UserFactory(username="boss", role=Role.ADMINISTRATOR)
        db.session.commit()
        boss = signed_in(app, "boss")
        assert boss.get("/admin/domain_blocks").status_code == 404
        assert "Blocked domains" not in boss.get("/admin/audit").text
        db.session.remove()


# The administrators' page of blocked domains


@pytest.fixture
def boss(app):
    UserFactory(username="boss", role=Role.ADMINISTRATOR)
    db.session.commit()
    return signed_in(app, "boss")


def test_an_administrator_blocks_and_unblocks_a_domain(boss):
    page = boss.get("/admin/domain_blocks")
    assert page.status_code == 200
    assert "No domain is blocked." in page.text
    assert 'class="nav-link active" href="/admin/domain_blocks"' in page.text  # in the administration links
    response = boss.post("/admin/domain_blocks", data={"domain": " Spam.Example. ", "reason": "spam <b>wave</b>"})
    assert response.status_code == 302
    page = boss.get("/admin/domain_blocks").text
    assert "spam.example is blocked" in page
    assert "<td>spam.example</td>" in page and "spam &lt;b&gt;wave&lt;/b&gt;" in page
    assert domains.blocked("spam.example")
    assert boss.post("/admin/domain_blocks/spam.example/unblock").status_code == 302
    assert "spam.example is no longer blocked." in boss.get("/admin/domain_blocks").text
    assert not domains.blocked("spam.example")
    assert boss.post("/admin/domain_blocks/spam.example/unblock").status_code == 404


@pytest.mark.parametrize("domain", ["", "not a host", "spam.example/path", "x" * 300, "http://spam.example"])
def test_a_domain_that_is_no_host_name_is_refused_with_its_error(boss, domain):
    page = boss.post("/admin/domain_blocks", data={"domain": domain})
    assert page.status_code == 200
    assert "is-invalid" in page.text
    assert domains.blocks() == []


def test_only_administrators_see_the_page(app, client):
    UserFactory(username="mod", role=Role.MODERATOR)
    db.session.commit()
    assert signed_in(app, "mod").get("/admin/domain_blocks").status_code == 403
    assert signed_in(app, "mod").post("/admin/domain_blocks", data={"domain": "spam.example"}).status_code == 403
    assert client.get("/admin/domain_blocks").status_code == 302  # to the sign-in page


def test_the_page_forms_need_their_csrf_token(app, boss):
    domains.block("kept.example")
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    assert boss.post("/admin/domain_blocks", data={"domain": "spam.example"}).status_code == 400
    assert boss.post("/admin/domain_blocks/kept.example/unblock").status_code == 400
    assert [entry.domain for entry in domains.blocks()] == ["kept.example"]


def test_followers_pages_run_on_from_local_to_remote_followers(client, alice):
    locals_ = [UserFactory(username=f"fan{n:02d}") for n in range(21)]
    db.session.commit()
    for fan in locals_:
        fan.follow(alice)
    remotes = [
        RemoteActor(uri=f"https://far.example/users/r{n}", key_id=f"https://far.example/users/r{n}#main-key",
                    public_key_pem="-", domain="far.example", username=f"r{n}", inbox="https://far.example/inbox")
        for n in range(3)
    ]  # fmt: skip
    db.session.add_all(remotes)
    db.session.flush()
    db.session.add_all(
        RemoteFollower(user_id=alice.id, actor_id=actor.id, follow_uri=f"{actor.uri}/f") for actor in remotes
    )
    db.session.commit()
    assert get_activity(client, "/user/Alice/followers")["totalItems"] == 24
    first = get_activity(client, "/user/Alice/followers?page=1")["orderedItems"]
    second = get_activity(client, "/user/Alice/followers?page=2")
    assert len(first) == 20 and "next" not in second
    assert second["orderedItems"] == [f"{ORIGIN}/user/fan00"] + [actor.uri for actor in reversed(remotes)]
    assert set(first) == {f"{ORIGIN}/user/{fan.username}" for fan in locals_[1:]}
