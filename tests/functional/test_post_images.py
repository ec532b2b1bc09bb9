"""Images on posts through the site's forms: up to four, each with its alt text, shown in the cards."""

import html
import io
import re

import pytest
import sqlalchemy as sa

from app import conversations
from app.extensions import db
from app.models import Media, Post
from tests.support.apps import count_rows
from tests.support.auth import signed_in
from tests.support.factories import UserFactory
from tests.support.images import image_bytes, upload_form

# A card's preview: the link to the original around the preview with its alt text.
PREVIEW = re.compile(
    r'<a href="/media/(?P<key>[\w-]+)/original" class="d-block"><img src="/media/(?P=key)/preview"\s+'
    r'alt="(?P<alt>[^"]*)" width="(?P<width>\d+)" height="(?P<height>\d+)" loading="lazy"'
)


def previews(page: str) -> list[tuple[str, str]]:
    """Return the (key, alt text) of every image preview on a page, top to bottom."""
    return [(match["key"], html.unescape(match["alt"])) for match in PREVIEW.finditer(page)]


def stored_files(uploads) -> list[str]:
    return sorted(path.name for path in uploads.rglob("*") if path.is_file()) if uploads.exists() else []


def photo(color=(200, 30, 30), size=(64, 48)) -> bytes:
    return image_bytes("JPEG", size=size, color=color)


@pytest.fixture
def susan(media_app):
    return UserFactory(username="susan")


@pytest.fixture
def client(media_app, susan):
    """Susan, signed in."""
    return signed_in(media_app)


def only_post() -> Post:
    return db.session.scalars(sa.select(Post)).one()


# The form


def test_the_post_form_is_multipart_with_four_labelled_image_and_alt_fields(client):
    page = client.get("/index").text
    form = page[page.index('<form method="post" action=""') :]
    form = form[: form.index("</form>")]
    assert 'enctype="multipart/form-data"' in form
    for index in range(4):
        for field, label in (("file", f"Image {index + 1}"), ("alt", f"Alt text of image {index + 1}")):
            assert f'<label class="form-label small mb-1" for="images-{index}-{field}">{label}</label>' in form
            assert f'id="images-{index}-{field}"' in form
    assert 'name="images-4-file"' not in form
    assert 'maxlength="1500"' in form


def test_a_post_with_one_image(client, uploads):
    response = client.post("/index", data=upload_form("at the beach", (photo(), "beach.jpg", "  A long beach  ")))
    assert response.status_code == 302
    post = only_post()
    (image,) = db.session.scalars(sa.select(Media)).all()
    assert (post.media_count, image.post_id, image.position, image.alt_text) == (1, post.id, 0, "A long beach")
    assert (image.width, image.height) == (64, 48)
    assert stored_files(uploads) == sorted(image.file_names)
    page = client.get("/index").text
    assert previews(page) == [(image.key, "A long beach")]
    assert 'width="64" height="48"' in page


def test_a_post_with_four_images_keeps_their_order(client):
    colors = [(250, 0, 0), (0, 250, 0), (0, 0, 250), (250, 250, 0)]
    images = [(photo(color, size=(40 + i, 30)), f"{i}.jpg", f"picture {i}") for i, color in enumerate(colors)]
    assert client.post("/index", data=upload_form("four of them", *images)).status_code == 302
    post = only_post()
    rows = db.session.scalars(sa.select(Media).order_by(Media.position)).all()
    assert post.media_count == 4
    assert [(row.position, row.alt_text, row.width) for row in rows] == [(i, f"picture {i}", 40 + i) for i in range(4)]
    assert previews(client.get("/index").text) == [(row.key, row.alt_text) for row in rows]


def test_images_need_not_fill_the_first_slots(client):
    data = upload_form("second slot", None, None, (photo(), "a.jpg", "only one"))
    assert client.post("/index", data=data).status_code == 302
    assert [row.alt_text for row in db.session.scalars(sa.select(Media))] == ["only one"]


def test_a_request_naming_only_a_later_slot_stores_its_image_once(client):
    """Not what a browser sends (it sends every slot), but a hand-made request must not store a file twice."""
    data = {"post": "sparse", "images-2-file": (io.BytesIO(photo()), "a.jpg"), "images-2-alt": "just this"}
    assert client.post("/index", data=data).status_code == 302
    assert [row.alt_text for row in db.session.scalars(sa.select(Media))] == ["just this"]


def test_a_post_without_images_still_works(client):
    assert client.post("/index", data={"post": "just words"}).status_code == 302
    assert only_post().media_count == 0
    assert previews(client.get("/index").text) == []


# Refusals: the form comes back with its error, nothing is kept


def assert_refused(response, uploads, *messages: str) -> str:
    """Check the form came back (200) with these errors, and that no post, image or file was kept."""
    assert response.status_code == 200
    page = response.text
    assert "Your post is now live!" not in page
    for message in messages:
        assert message in page, message
    assert count_rows(Post) == 0
    assert count_rows(Media) == 0
    assert stored_files(uploads) == []
    return page


def test_five_images_are_refused(client, uploads):
    images = [(photo(), f"{i}.jpg", f"picture {i}") for i in range(5)]
    page = assert_refused(client.post("/index", data=upload_form("five", *images)), uploads)
    assert "A post carries at most 4 images." in page
    assert '<details class="mb-3 image-fields" open>' in page


def test_an_image_without_alt_text_is_refused_with_the_error_by_its_field(client, uploads):
    for alt in ("", "   "):
        response = client.post("/index", data=upload_form("no words", (photo(), "a.jpg", alt)))
        page = assert_refused(response, uploads)
        assert re.search(
            r'aria-describedby="images-0-alt-errors" aria-invalid="true" class="[^"]*is-invalid"[^>]*id="images-0-alt"',
            page,
        )
        assert (
            '<div class="invalid-feedback d-block" id="images-0-alt-errors">'
            "Describe this image: its alt text is required.</div>" in page
        )
        assert "no words</textarea>" in page  # the text is kept for another try


def test_the_image_fields_are_in_the_readers_language_and_keep_what_was_typed(client, uploads):
    """Their markup is cached per language while untouched: a refused form still shows its own."""
    english = client.get("/index").text
    client.post("/language/es", data={"next": "/index"})
    spanish = client.get("/index").text
    assert "Alt text of image 1" in english and "Alt text of image 1" not in spanish
    data = upload_form("words")
    data["images-2-alt"] = "typed before the refusal"
    page = assert_refused(client.post("/index", data=data), uploads)
    assert "typed before the refusal</textarea>" in page
    assert "typed before the refusal" not in client.get("/index").text


def test_alt_text_without_a_file_is_refused(client, uploads):
    data = upload_form("words")
    data["images-1-alt"] = "a picture I forgot"
    page = assert_refused(client.post("/index", data=data), uploads)
    assert 'id="images-1-file-errors">Choose a file for this alt text.</div>' in page
    assert "a picture I forgot</textarea>" in page


def test_alt_text_over_1500_characters_is_refused(client, uploads):
    response = client.post("/index", data=upload_form("long", (photo(), "a.jpg", "x" * 1501)))
    page = assert_refused(response, uploads)
    assert 'id="images-0-alt-errors"' in page
    assert client.post("/index", data=upload_form("long", (photo(), "a.jpg", "x" * 1500))).status_code == 302


def test_alt_text_with_control_characters_is_refused(client, uploads):
    response = client.post("/index", data=upload_form("nul", (photo(), "a.jpg", "a\x00b")))
    assert_refused(response, uploads, "This text contains characters that are not allowed.")


def test_a_refused_second_image_takes_the_first_one_back(client, uploads):
    """The first image is stored before the second is refused: the rollback removes its row and files."""
    images = [(photo(), "good.jpg", "good"), (b"not an image at all", "bad.jpg", "bad")]
    page = assert_refused(client.post("/index", data=upload_form("two", *images)), uploads)
    assert re.search(r'id="images-1-file-errors">This file is not an image in a format we accept', page)
    assert 'id="images-0-file-errors"' not in page


def test_an_empty_post_text_with_an_image_is_refused(client, uploads):
    assert_refused(client.post("/index", data=upload_form("", (photo(), "a.jpg", "alt"))), uploads)


def test_alt_text_is_escaped_in_the_card(client):
    alt = '"><script>alert(1)</script>'
    assert client.post("/index", data=upload_form("sneaky", (photo(), "a.jpg", alt))).status_code == 302
    page = client.get("/index").text
    assert "<script>alert(1)" not in page
    assert [found for _, found in previews(page)] == [alt]


# Where the cards show them


def test_the_images_show_on_every_page_listing_the_post(media_app, client, susan):
    assert client.post("/index", data=upload_form("#sea view", (photo(), "a.jpg", "The sea at dawn"))).status_code
    post = only_post()
    (key,) = db.session.scalars(sa.select(Media.key))
    john = UserFactory(username="john")
    john.follow(susan)
    db.session.commit()
    reader = signed_in(media_app, "john")
    for path in ("/", "/index", "/explore", "/user/susan", f"/post/{post.id}", "/tag/sea"):
        response = reader.get(path)
        assert response.status_code == 200, path
        assert previews(response.text) == [(key, "The sea at dawn")], path
    for variant in ("original", "preview"):
        served = reader.get(f"/media/{key}/{variant}")
        assert served.status_code == 200 and served.mimetype == "image/jpeg"
        served.close()


def test_a_repost_shows_the_images_of_the_original(media_app, client, susan):
    client.post("/index", data=upload_form("look", (photo(), "a.jpg", "A red square")))
    john = UserFactory(username="john")
    conversations.repost(john, only_post())
    db.session.commit()
    page = signed_in(media_app, "john").get("/user/john").text
    assert [alt for _, alt in previews(page)] == ["A red square"]


def test_a_page_of_posts_with_and_without_images_shows_each_its_own(client):
    client.post("/index", data=upload_form("first", (photo(), "a.jpg", "first image")))
    client.post("/index", data={"post": "no image"})
    client.post("/index", data=upload_form("third", (photo(), "b.jpg", "third a"), (photo(), "c.jpg", "third b")))
    page = client.get("/index").text
    assert [alt for _, alt in previews(page)] == ["third a", "third b", "first image"]
    third = page[page.index(">third</p>") : page.index(">no image</p>")]
    assert "row-cols-2" in third


# Replies


def test_a_reply_with_an_image(media_app, client, susan):
    question = conversations.publish(UserFactory(username="john"), "What did you see?", "en")
    db.session.commit()
    response = client.post(
        f"/post/{question.id}", data=upload_form("This bird", (photo(), "bird.jpg", "A robin on a fence"))
    )
    assert response.status_code == 302
    reply = db.session.scalar(sa.select(Post).where(Post.in_reply_to_id == question.id))
    (image,) = db.session.scalars(sa.select(Media)).all()
    assert (reply.media_count, image.post_id) == (1, reply.id)
    for path in (f"/post/{question.id}", f"/post/{reply.id}"):
        assert previews(client.get(path).text) == [(image.key, "A robin on a fence")], path


def test_the_reply_form_takes_images_and_shows_their_errors(media_app, client, uploads):
    question = conversations.publish(UserFactory(username="john"), "What did you see?", "en")
    db.session.commit()
    page = client.get(f"/post/{question.id}").text
    opening = re.search(r'<form [^>]*id="reply"[^>]*>', page)
    assert 'enctype="multipart/form-data"' in opening[0]
    assert 'for="images-0-file">Image 1</label>' in page[opening.end() :]
    response = client.post(f"/post/{question.id}", data=upload_form("bird", (photo(), "bird.jpg", "")))
    assert response.status_code == 200
    assert 'id="images-0-alt-errors">Describe this image: its alt text is required.' in response.text
    assert count_rows(Post) == 1 and count_rows(Media) == 0
    assert stored_files(uploads) == []
