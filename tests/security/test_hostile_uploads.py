"""Hostile files sent through the site's post form: refused with a form error, or stored without their secrets.

Every file is made at test time (tests/support/images.py): a PHP script named like a photo, a
decompression bomb, a 20 MB PNG, an SVG with a script, and a photo that says where it was taken.
The app runs with CSRF protection on, as in production, so each post carries the form's token.
"""

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from app import conversations
from app.extensions import db
from app.models import Media, Post
from tests.support.apps import count_rows, make_app, pushed
from tests.support.auth import signed_in
from tests.support.factories import UserFactory
from tests.support.images import image_bytes, multipart, photo_with_gps, png_declaring, upload_form
from tests.support.pages import csrf_token_from

MB = 1024 * 1024
GPS_IFD = 0x8825
PHP = b'<?php system($_GET["cmd"]); ?>\n'
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>'
)
BOMB_REFUSAL = "This image has more than 40 million pixels."
NOT_AN_IMAGE = "This file is not an image in a format we accept (JPEG, PNG, WebP or GIF)."


@pytest.fixture
def uploads(tmp_path):
    return tmp_path / "uploads"


@pytest.fixture
def secure_media_app(uploads):
    """An app with CSRF on and its image files in `uploads`."""
    yield from pushed(make_app(WTF_CSRF_ENABLED=True, UPLOAD_DIR=str(uploads)))


@pytest.fixture
def client(secure_media_app):
    UserFactory(username="susan")
    return signed_in(secure_media_app)


def send(client, *images, path: str = "/index", token: bool = True):
    """Post the form at `path` with these `(bytes, file name, alt text)` images, its CSRF token included."""
    extra = {"csrf_token": csrf_token_from(client.get(path).text)} if token else {}
    return client.post(path, **multipart(upload_form("look at this", *images, **extra)))


def stored_files(uploads) -> list:
    return [path for path in uploads.rglob("*") if path.is_file()] if uploads.exists() else []


def assert_refused_with(response, uploads, message: str) -> None:
    """The form came back with `message` by the image's field, and nothing was kept."""
    assert response.status_code == 200
    assert f'id="images-0-file-errors">{message}</div>' in response.text
    assert count_rows(Post) == 0 and count_rows(Media) == 0
    assert stored_files(uploads) == []


def test_a_php_script_named_jpg_is_refused(client, uploads):
    assert_refused_with(send(client, (PHP, "photo.jpg", "my photo")), uploads, NOT_AN_IMAGE)


def test_a_php_script_behind_a_jpeg_signature_is_refused(client, uploads):
    forged = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + PHP
    assert_refused_with(send(client, (forged, "photo.jpg", "my photo")), uploads, NOT_AN_IMAGE)


def test_a_decompression_bomb_is_refused(client, uploads):
    bomb = png_declaring(20_000, 20_000)  # 400 million pixels, ten times the limit
    assert len(bomb) < 10_000
    response = send(client, (bomb, "tiny.png", "a small picture"))
    assert_refused_with(response, uploads, BOMB_REFUSAL)


def test_a_20_mb_png_is_refused_by_its_size(client, uploads):
    big = image_bytes("PNG", size=(2700, 2700), compress_level=0)
    assert len(big) > 20 * MB
    assert_refused_with(send(client, (big, "big.png", "a big picture")), uploads, "This image is larger than 8 MB.")


def test_an_svg_with_a_script_is_refused(client, uploads):
    for name in ("drawing.svg", "drawing.png"):
        assert_refused_with(send(client, (SVG, name, "a drawing")), uploads, NOT_AN_IMAGE)


def test_a_photo_with_gps_exif_is_served_without_it(secure_media_app, client, uploads):
    sent = photo_with_gps()
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(GPS_IFD), "the test photo must carry GPS"
    assert send(client, (sent, "holiday.jpg", "Our tent by the lake")).status_code == 302
    key = db.session.scalar(sa.select(Media.key))
    reader = secure_media_app.test_client()  # the files are public: no session needed
    for variant in ("original", "preview"):
        response = reader.get(f"/media/{key}/{variant}")
        assert response.status_code == 200
        data = response.get_data()
        response.close()
        served = Image.open(io.BytesIO(data))
        exif = served.getexif()
        assert GPS_IFD not in exif and exif.get_ifd(GPS_IFD) == {}
        assert dict(exif) == {}  # the camera's make is gone too
        assert "exif" not in served.info
        assert b"Exif\x00\x00" not in data and b"Spy Camera" not in data
    # Nor on disk, where nginx may serve it from.
    for path in stored_files(uploads):
        assert b"Spy Camera" not in path.read_bytes() and b"Exif\x00\x00" not in path.read_bytes()


def test_a_file_name_with_a_path_is_ignored(client, uploads, tmp_path):
    assert send(client, (image_bytes(), "../../../evil.php.jpg", "a red square")).status_code == 302
    (row,) = db.session.scalars(sa.select(Media)).all()
    files = stored_files(uploads)
    assert sorted(path.name for path in files) == sorted(row.file_names)
    assert all("evil" not in str(path) for path in tmp_path.rglob("*"))


def test_a_multipart_post_without_the_csrf_token_is_refused(client, uploads):
    response = send(client, (image_bytes(), "a.jpg", "a red square"), token=False)
    assert response.status_code == 400
    assert "the form was not sent from this site" in response.text
    assert count_rows(Post) == 0 and count_rows(Media) == 0
    assert stored_files(uploads) == []


def test_a_multipart_reply_without_the_csrf_token_is_refused(client, uploads):
    post = conversations.publish(UserFactory(username="john"), "a question", "en")
    db.session.commit()
    response = send(client, (image_bytes(), "a.jpg", "a red square"), path=f"/post/{post.id}", token=False)
    assert response.status_code == 400
    assert count_rows(Post) == 1 and count_rows(Media) == 0
    assert stored_files(uploads) == []


@pytest.fixture
def small_upload_app(uploads):
    """Like `secure_media_app`, but a request body may hold 2 MB at most."""
    yield from pushed(make_app(WTF_CSRF_ENABLED=True, UPLOAD_DIR=str(uploads), MAX_UPLOAD_LENGTH=2 * MB))


def test_a_body_over_the_upload_limit_gets_a_413_page(small_upload_app, uploads):
    UserFactory(username="susan")
    response = send(signed_in(small_upload_app), (b"\0" * (3 * MB), "big.jpg", "too big"))
    assert response.status_code == 413
    assert "What you sent is too large." in response.text
    assert count_rows(Media) == 0 and stored_files(uploads) == []
