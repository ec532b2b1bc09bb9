"""Avatars in Chromium: the main pages show the app's own pictures and ask no other host for anything.

A person may upload a picture of their own from the profile editor, and remove it.
"""

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from app import conversations
from app.extensions import db
from tests.e2e.test_accessibility import AXE, BLOCKING_IMPACTS, RUN_AXE
from tests.e2e.test_conversations import in_app, sign_in
from tests.support.factories import UserFactory
from tests.support.images import image_bytes

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


def drawn(page, locator) -> tuple[int, int]:
    """Wait until the picture has loaded; return its natural size (0 x 0 for a broken one)."""
    locator.evaluate("img => img.complete || new Promise(done => img.addEventListener('load', done))")
    return tuple(locator.evaluate("img => [img.naturalWidth, img.naturalHeight]"))


def test_a_picture_uploaded_from_the_profile_editor_shows_everywhere_and_can_be_removed(
    open_page, start_live_server, tmp_path
):
    server = start_live_server(UPLOAD_DIR=str(tmp_path / "uploads"))
    with in_app(server):
        alice = UserFactory(username="alice")
        post = conversations.publish(alice, "A new face", "en")
        db.session.commit()
        alice_id, post_id = alice.id, post.id
    page = open_page(server.url, bypass_csp=True)  # only for axe's script, added below
    sign_in(page, "alice")

    page.goto("/edit_profile")
    current = page.locator("#current-picture")
    assert urlsplit(current.get_attribute("src")).path.endswith(".svg")
    page.get_by_label("Your picture (JPEG, PNG, WebP or GIF)").set_input_files(
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": image_bytes("PNG", size=(300, 200))}]
    )
    page.get_by_role("button", name="Upload picture").click()
    expect(page.get_by_role("alert")).to_contain_text("Your new picture is saved.")
    picture = re.compile(rf"^/avatar/{alice_id}/[A-Za-z0-9_-]{{22}}/original\.jpg$")
    assert picture.match(current.get_attribute("src")), current.get_attribute("src")
    assert drawn(page, current) == (256, 256)
    # The editor with both picture forms passes axe-core.
    page.add_script_tag(path=str(AXE))
    assert [v["id"] for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING_IMPACTS] == []

    # The cards show the small one: on a list and in the post's thread.
    for path in ("/explore", f"/post/{post_id}"):
        page.goto(path)
        avatar = page.locator(f"article#post-{post_id} img").first
        assert urlsplit(avatar.get_attribute("src")).path.endswith("/preview.jpg"), path
        assert drawn(page, avatar) == (128, 128), path

    page.goto("/edit_profile")
    page.get_by_role("button", name="Remove picture").click()
    expect(page.get_by_role("alert")).to_contain_text("Your picture is removed")
    assert urlsplit(current.get_attribute("src")).path.endswith(".svg")
    assert drawn(page, current)[0] > 0
    expect(page.get_by_role("button", name="Remove picture")).to_have_count(0)
