"""Avatars in Chromium: the main pages show the app's own pictures and ask no other host for anything."""

from urllib.parse import urlsplit

from app import conversations
from app.extensions import db
from tests.e2e.test_conversations import in_app, sign_in
from tests.support.factories import UserFactory

# Every picture of the page: where it came from, and whether the browser could draw it.
IMAGES = "() => Array.from(document.images, img => [img.currentSrc || img.src, img.complete, img.naturalWidth])"


def test_main_pages_load_their_avatars_from_the_site_itself(new_page, live_server):
    with in_app(live_server):
        alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
        bob.follow(alice)
        question = conversations.publish(alice, "Tea at five?", "en")
        conversations.publish(bob, "@alice Yes please", "en", in_reply_to=question)
        db.session.commit()
        question_id = question.id
    site = urlsplit(live_server.url).netloc
    page = new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, "bob")

    seen_avatars = set()
    for path in ("/index", "/explore", "/user/alice", f"/post/{question_id}"):
        page.goto(path)
        page.wait_for_load_state("load")
        images = page.evaluate(IMAGES)
        avatars = [src for src, _, _ in images if urlsplit(src).path.startswith("/avatar/")]
        assert avatars, f"{path} shows no avatar"
        broken = [src for src, complete, width in images if not (complete and width > 0)]
        assert broken == [], f"{path}: pictures not drawn: {broken}"
        assert all(urlsplit(src).netloc == site for src, _, _ in images), (path, images)
        seen_avatars.update(urlsplit(src).path for src in avatars)

    # Alice's and Bob's pictures are two different ones, and every request stayed on the site.
    assert len(seen_avatars) == 2, seen_avatars
    elsewhere = [url for url in requested if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != site]
    assert elsewhere == [], elsewhere
    assert any("/avatar/" in url for url in requested)
