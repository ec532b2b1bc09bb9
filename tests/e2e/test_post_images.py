"""Images on posts in Chromium: attach one with its alt text, see its preview, open the original."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_conversations import in_app, sign_in
from tests.support.browser import HOME, POSTED
from tests.support.factories import UserFactory
from tests.support.images import image_bytes

ALT = "A striped lighthouse against a grey sky"
# Whether an <img> was fetched and decoded: the width of the picture it holds (0 when broken or not loaded).
DRAWN_WIDTH = "img => img.complete ? img.naturalWidth : 0"


@pytest.fixture
def live_server(start_live_server, tmp_path):
    """The live app with its image files in this test's own folder."""
    return start_live_server(UPLOAD_DIR=str(tmp_path / "uploads"))


def test_a_post_with_an_image_shows_its_preview_which_opens_the_original(page, live_server):
    with in_app(live_server):
        UserFactory(username="alice")
    sign_in(page, "alice")
    page.goto("/index")
    page.get_by_text("Add images").click()  # the image fields are folded away in a <details>
    page.get_by_label("Image 1", exact=True).set_input_files(
        files=[{"name": "lighthouse.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG", size=(1600, 900))}]
    )
    page.get_by_label("Alt text of image 1").fill(ALT)
    page.fill("#post", "Seen on the coast today")
    page.click("#submit")
    page.wait_for_url(HOME)
    expect(page.locator(".alert-success")).to_have_text(POSTED)

    preview = page.locator(".post-images img")
    expect(preview).to_have_count(1)
    expect(preview).to_have_attribute("alt", ALT)
    expect(preview).to_have_attribute("src", re.compile(r"^/media/[\w-]+/preview$"))
    page.wait_for_function(DRAWN_WIDTH, arg=preview.element_handle())
    assert preview.evaluate(DRAWN_WIDTH) == 1024  # the preview, not the 1600-pixel original
    box = preview.bounding_box()
    assert box and 0 < box["height"] <= 18 * 16 + 1, box  # at most 18rem high in the card

    # The link around it is reachable with the keyboard, named by the alt text, and opens the original.
    link = page.get_by_role("link", name=ALT)
    link.focus()
    expect(link).to_be_focused()
    original = link.get_attribute("href")
    assert re.fullmatch(r"/media/[\w-]+/original", original), original
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{original}")
    assert page.evaluate("document.images.length") == 1
    page.wait_for_function("() => document.images[0].complete && document.images[0].naturalWidth > 0")
    assert page.evaluate("document.images[0].naturalWidth") == 1600


def test_an_image_without_alt_text_comes_back_with_the_error_by_its_field(page, live_server):
    with in_app(live_server):
        UserFactory(username="alice")
    sign_in(page, "alice")
    page.goto("/index")
    page.get_by_text("Add images").click()
    page.get_by_label("Image 1", exact=True).set_input_files(
        files=[{"name": "x.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}]
    )
    page.fill("#post", "No description")
    page.click("#submit")
    alt = page.get_by_label("Alt text of image 1")
    expect(alt).to_be_visible()  # the fields are unfolded again
    expect(alt).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#images-0-alt-errors")).to_have_text("Describe this image: its alt text is required.")
    expect(page.locator(".post-images")).to_have_count(0)
