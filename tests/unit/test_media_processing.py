"""Uploaded images: only real JPEG, PNG, WebP and GIF images get in, re-encoded without metadata.

The hostile files are made here, at test time: a PHP script named like a photo, a decompression
bomb, a file over the size limit, an SVG with a script, random bytes.
"""

import io
import os

import pytest
from PIL import ExifTags, Image

from app import media
from app.extensions import db
from app.media import processing
from app.media.processing import ImageTooLarge, NotAnImage
from app.models import Media
from tests.support.apps import count_rows
from tests.support.factories import UserFactory
from tests.support.images import image_bytes, photo_with_gps, png_declaring

MB = 1024 * 1024


def process(data: bytes, max_bytes: int = 8 * MB, max_pixels: int = 40_000_000, preview_size: int = 1024):
    return processing.process(data, max_bytes, max_pixels, preview_size)


def reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


# Refused


def test_a_php_script_named_jpg_is_not_an_image():
    with pytest.raises(NotAnImage) as refused:
        process(b"<?php system($_GET['cmd']); ?>\n")
    assert refused.value.status == 400


def test_a_php_script_after_a_jpeg_signature_is_not_an_image():
    with pytest.raises(NotAnImage):
        process(b"\xff\xd8\xff\xe0" + b"<?php system($_GET['cmd']); ?>" * 20)


def test_an_svg_with_a_script_is_refused():
    svg = (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
    )
    with pytest.raises(NotAnImage):
        process(svg)


def test_random_bytes_and_an_empty_file_are_refused():
    for data in (os.urandom(4096), b""):
        with pytest.raises(NotAnImage):
            process(data)


def test_an_allowed_format_cut_short_is_refused():
    noisy = Image.frombytes("RGB", (300, 300), os.urandom(300 * 300 * 3))
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG")
    whole = buffer.getvalue()
    with pytest.raises(NotAnImage):
        process(whole[: len(whole) // 2])
    assert process(whole).width == 300


def test_a_format_pillow_reads_but_we_do_not_accept_is_refused():
    for image_format in ("BMP", "TIFF", "ICO"):
        with pytest.raises(NotAnImage):
            process(image_bytes(image_format, size=(16, 16)))


def test_a_decompression_bomb_is_refused_before_decoding():
    bomb = png_declaring(100_000, 100_000)
    assert len(bomb) < 10_000
    with pytest.raises(ImageTooLarge) as refused:
        process(bomb)
    assert refused.value.status == 413


def test_pillow_own_bomb_guard_is_a_refusal_too():
    # Under our limit but over Pillow's (set from MAX_IMAGE_PIXELS by the app): refused as too large.
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = 1_000
    try:
        with pytest.raises(ImageTooLarge):
            process(image_bytes("PNG", size=(50, 50)), max_pixels=10**9)
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def test_an_image_over_the_pixel_limit_is_refused():
    with pytest.raises(ImageTooLarge):
        process(image_bytes("PNG", size=(200, 100)), max_pixels=19_999)
    assert process(image_bytes("PNG", size=(200, 100)), max_pixels=20_000).width == 200


def test_a_20_mb_png_is_refused_by_its_size():
    # Stored without compression: 2700 x 2700 x 3 bytes of pixels.
    big = image_bytes("PNG", size=(2700, 2700), compress_level=0)
    assert len(big) > 20 * MB
    with pytest.raises(ImageTooLarge) as refused:
        process(big)
    assert refused.value.status == 413
    assert "8 MB" in str(refused.value.message)


def test_the_size_limit_is_checked_on_the_bytes_before_decoding():
    # Not even an image: over the limit is enough.
    with pytest.raises(ImageTooLarge):
        process(b"x" * (MB + 1), max_bytes=MB)


# Accepted, and cleaned


def test_a_photo_with_gps_exif_is_stored_without_any_metadata(media_app):
    original = photo_with_gps()
    assert reopen(original).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the fixture does carry GPS
    owner = UserFactory()
    row = media.store(owner, original, "A view from the window")
    for variant in ("original", "preview"):
        stored = media.storage().read(row.file_name(variant))
        image = reopen(stored)
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
        assert "exif" not in image.info and "comment" not in image.info
        assert b"Spy Camera" not in stored and b"taken at home" not in stored
    assert row.content_type == "image/jpeg"
    assert (row.width, row.height) == (80, 60)


def test_the_exif_orientation_is_applied_before_it_is_stripped():
    # Left half red, right half blue, stored sideways: orientation 6 says "turn 90 degrees clockwise".
    sideways = Image.new("RGB", (60, 20), (255, 0, 0))
    sideways.paste((0, 0, 255), (30, 0, 60, 20))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    buffer = io.BytesIO()
    sideways.save(buffer, "JPEG", exif=exif, quality=95)
    result = process(buffer.getvalue())
    upright = reopen(result.original)
    assert (result.width, result.height) == upright.size == (20, 60)
    assert ExifTags.Base.Orientation not in upright.getexif()
    top, bottom = upright.getpixel((10, 5)), upright.getpixel((10, 55))
    assert top[0] > 200 and top[2] < 60  # red on top
    assert bottom[2] > 200 and bottom[0] < 60


def test_a_png_with_transparency_stays_a_png_with_its_alpha():
    result = process(image_bytes("PNG", size=(40, 40), color=(0, 128, 0, 0), mode="RGBA"))
    image = reopen(result.original)
    assert result.content_type == "image/png"
    assert image.format == "PNG" and image.mode == "RGBA"
    assert image.getpixel((5, 5))[3] == 0


def test_a_gif_keeps_its_first_frame_only_as_a_png():
    frames = [Image.new("RGB", (30, 30), color) for color in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    result = process(buffer.getvalue())
    image = reopen(result.original)
    assert result.content_type == "image/png"
    assert getattr(image, "n_frames", 1) == 1
    red, green, blue = image.convert("RGB").getpixel((15, 15))
    assert red > 200 and green < 50 and blue < 50


def test_a_webp_photo_becomes_a_jpeg():
    result = process(image_bytes("WEBP", size=(50, 40)))
    assert result.content_type == "image/jpeg"
    assert reopen(result.original).format == "JPEG"


def test_the_preview_fits_the_preview_size_and_keeps_the_shape():
    result = process(image_bytes("JPEG", size=(2000, 1000)), preview_size=1024)
    preview = reopen(result.preview)
    assert preview.size == (1024, 512)
    assert reopen(result.original).size == (2000, 1000) == (result.width, result.height)


def test_a_small_image_is_its_own_preview():
    result = process(image_bytes("PNG", size=(100, 80)))
    assert result.preview == result.original


def test_alt_text_is_required_and_bounded(media_app, uploads):
    owner = UserFactory()
    for alt in ("", "   ", "x" * 1501):
        with pytest.raises(media.InvalidAltText):
            media.store(owner, image_bytes(), alt)
    assert media.store(owner, image_bytes(), "x" * 1500).alt_text == "x" * 1500
    db.session.commit()
    assert count_rows(Media) == 1
    assert len(list(uploads.iterdir())) == 2  # the accepted image's original and preview only
