"""Images through the API: upload one with `POST /api/media`, attach it with `media_ids`, read it in post JSON.

The hostile files are made at test time: a PHP script named like a photo, a decompression bomb, a
20 MB PNG, an SVG with a script and a photo carrying its GPS position.
"""

import io
import os
from urllib.parse import urlsplit

import pytest
from PIL import ExifTags, Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app import media
from app.extensions import db
from app.models import Media, Post
from tests.support.api import assert_error, bearer, token_for
from tests.support.apps import count_rows
from tests.support.images import PHP_SCRIPT, SVG_WITH_SCRIPT, image_bytes, photo_with_gps, png_declaring

MB = 1024 * 1024
MEDIA_FIELDS = {"id", "type", "url", "preview_url", "description", "width", "height", "content_type"}


@pytest.fixture
def app(media_app):
    """The API on an app whose image files go to this test's own folder."""
    return media_app


def post_multipart(client, headers, form: dict):
    """POST /api/media with `form` as a multipart body (file values are FileStorage objects).

    Encoded here in memory: the test client would spool a big body to a temporary file it never closes.
    """
    boundary, body = encode_multipart(form)
    return client.post(
        "/api/media", data=body, headers=headers, content_type=f"multipart/form-data; boundary={boundary}"
    )


def a_file(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name, content_type=content_type)


def upload(client, headers, data: bytes | None, description: str | None = "A red square", name: str = "photo.jpg"):
    """POST /api/media with a multipart body holding `data` as `file` and the alt text."""
    form = {}
    if data is not None:
        form["file"] = a_file(data, name)
    if description is not None:
        form["description"] = description
    return post_multipart(client, headers, form)


def uploaded(client, headers, data: bytes | None = None, description: str = "A red square") -> dict:
    """Upload an image (a small JPEG by default) and return its JSON."""
    response = upload(client, headers, image_bytes("JPEG") if data is None else data, description)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def served(client, url: str):
    """GET an image by its absolute URL and return the response, read and closed."""
    response = client.get(urlsplit(url).path)
    response.get_data()
    response.close()
    return response


def stored_files(uploads) -> list:
    return sorted(uploads.iterdir()) if uploads.exists() else []


# Uploading


@pytest.mark.parametrize(
    ("image_format", "options", "stored_as"),
    [
        ("PNG", {}, "image/png"),
        ("JPEG", {}, "image/jpeg"),
        ("WEBP", {}, "image/jpeg"),
        ("GIF", {"save_all": True}, "image/png"),
    ],
)
def test_an_image_upload_is_201_with_its_media_json(client, user, headers, image_format, options, stored_as):
    data = image_bytes(image_format, size=(120, 80), **options)
    response = upload(client, headers, data, "  A red rectangle  ", name="x.bin")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == MEDIA_FIELDS
    row = db.session.get(Media, body["id"])
    assert row.user_id == user.id and row.post_id is None
    assert body["type"] == "image"
    assert body["description"] == "A red rectangle"
    assert (body["width"], body["height"]) == (120, 80)
    assert body["content_type"] == stored_as
    assert body["url"] == f"http://localhost/media/{row.key}/original"
    assert body["preview_url"] == f"http://localhost/media/{row.key}/preview"
    for url in (body["url"], body["preview_url"]):
        image = served(client, url)
        assert image.status_code == 200
        assert image.mimetype == stored_as
        assert Image.open(io.BytesIO(image.data)).size == (120, 80)


def test_a_large_photo_gets_a_smaller_preview(client, headers):
    body = uploaded(client, headers, image_bytes("JPEG", size=(3000, 1500)))
    assert (body["width"], body["height"]) == (3000, 1500)
    preview = served(client, body["preview_url"])
    assert Image.open(io.BytesIO(preview.data)).size == (1024, 512)


def test_an_upload_bigger_than_a_text_request_is_taken(client, headers, app):
    # Random pixels do not compress: well over MAX_CONTENT_LENGTH, under MAX_IMAGE_BYTES.
    noisy = Image.frombytes("RGB", (1000, 1000), os.urandom(1000 * 1000 * 3))
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG")
    assert app.config["MAX_CONTENT_LENGTH"] < len(buffer.getvalue()) < app.config["MAX_IMAGE_BYTES"]
    assert uploaded(client, headers, buffer.getvalue())["width"] == 1000


@pytest.mark.parametrize(
    ("description", "problem"),
    [(None, "description"), ("", "description"), ("   ", "description"), ("x" * 1501, "description")],
)
def test_the_alt_text_is_required_and_at_most_1500_characters(client, headers, uploads, description, problem):
    response = upload(client, headers, image_bytes("PNG"), description)
    assert problem in assert_error(response, 400, "Bad Request")["fields"]
    assert count_rows(Media) == 0 and stored_files(uploads) == []


def test_1500_characters_of_alt_text_are_fine(client, headers):
    assert uploaded(client, headers, description="é" * 1500)["description"] == "é" * 1500


def test_the_file_is_required_and_must_be_a_file(client, headers):
    assert "file" in assert_error(upload(client, headers, None), 400, "Bad Request")["fields"]
    as_text = post_multipart(client, headers, {"file": "not a file", "description": "x"})
    assert "file" in assert_error(as_text, 400, "Bad Request")["fields"]


def test_unknown_fields_are_refused(client, headers):
    response = post_multipart(client, headers, {"file": a_file(image_bytes()), "description": "x", "focus": "0,0"})
    assert "focus" in assert_error(response, 400, "Bad Request")["fields"]


def test_a_json_body_is_415_asking_for_multipart(client, headers):
    body = assert_error(
        client.post("/api/media", json={"file": "aGk=", "description": "x"}, headers=headers),
        415,
        "Unsupported Media Type",
    )
    assert "multipart/form-data" in body["message"]
    body = assert_error(client.post("/api/media", data=b"", headers=headers), 415, "Unsupported Media Type")
    assert "multipart/form-data" in body["message"]


def test_uploading_needs_a_token(client, user):
    assert_error(upload(client, {}, image_bytes()), 401, "Unauthorized")
    assert count_rows(Media) == 0


# Hostile files


def test_a_php_script_named_jpg_is_400(client, headers, uploads):
    body = assert_error(upload(client, headers, PHP_SCRIPT, name="shell.php.jpg"), 400, "Bad Request")
    assert "not an image" in body["message"]
    assert count_rows(Media) == 0 and stored_files(uploads) == []


def test_an_svg_with_a_script_is_400(client, headers, uploads):
    form = {"file": a_file(SVG_WITH_SCRIPT, "cat.svg", "image/svg+xml"), "description": "A cat"}
    response = post_multipart(client, headers, form)
    assert "not an image" in assert_error(response, 400, "Bad Request")["message"]
    assert count_rows(Media) == 0 and stored_files(uploads) == []


def test_a_decompression_bomb_is_refused(client, headers, uploads):
    bomb = png_declaring(20_000, 20_000)
    assert len(bomb) < 50_000
    response = upload(client, headers, bomb, name="bomb.png")
    assert_error(response, 413, "Request Entity Too Large")
    assert "million pixels" in response.get_json()["message"]
    assert count_rows(Media) == 0 and stored_files(uploads) == []


def test_a_20_mb_png_is_413(client, headers, uploads):
    # Stored without compression: 2700 x 2700 x 3 bytes of pixels.
    big = image_bytes("PNG", size=(2700, 2700), compress_level=0)
    assert len(big) > 20 * MB
    body = assert_error(upload(client, headers, big, name="big.png"), 413, "Request Entity Too Large")
    assert "8 MB" in body["message"]
    assert count_rows(Media) == 0 and stored_files(uploads) == []


def test_a_body_over_the_upload_limit_is_413_json(client, headers, app):
    app.config["MAX_UPLOAD_LENGTH"] = 2 * MB
    response = upload(client, headers, b"\0" * (3 * MB))
    assert_error(response, 413, "Request Entity Too Large")
    assert count_rows(Media) == 0


def test_a_photo_with_gps_exif_is_served_without_it(client, headers):
    original = photo_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # it does carry GPS
    body = uploaded(client, headers, original, "A street")
    for url in (body["url"], body["preview_url"]):
        data = served(client, url).data
        assert b"Spy Camera" not in data and b"taken at home" not in data
        image = Image.open(io.BytesIO(data))
        exif = image.getexif()
        assert ExifTags.IFD.GPSInfo not in exif
        assert exif.get_ifd(ExifTags.IFD.GPSInfo) == {}
        assert dict(exif) == {} and "exif" not in image.info


# Attaching to posts


def test_a_post_with_media_ids_lists_its_media_in_order(client, user, headers):
    first = uploaded(client, headers, image_bytes("PNG", size=(30, 20)), "First")
    second = uploaded(client, headers, image_bytes("JPEG", size=(40, 30)), "Second")
    response = client.post(
        "/api/posts", json={"body": "two pictures", "media_ids": [second["id"], first["id"]]}, headers=headers
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    post = response.get_json()
    assert post["media"] == [second, first]
    assert [item["description"] for item in post["media"]] == ["Second", "First"]
    assert all(item["url"].endswith("/original") and item["preview_url"].endswith("/preview") for item in post["media"])
    assert client.get(f"/api/posts/{post['id']}", headers=headers).get_json()["media"] == [second, first]
    timeline = client.get("/api/timeline", headers=headers).get_json()["items"]
    assert timeline[0]["id"] == post["id"] and timeline[0]["media"] == [second, first]


def test_a_post_without_media_lists_none(client, headers):
    response = client.post("/api/posts", json={"body": "just words"}, headers=headers)
    assert response.get_json()["media"] == []
    response = client.post("/api/posts", json={"body": "still words", "media_ids": []}, headers=headers)
    assert response.status_code == 201 and response.get_json()["media"] == []


def test_a_repost_shows_the_reposted_posts_media(client, user, headers, other):
    bob_headers = bearer(token_for(client, "bob"))
    image = uploaded(client, bob_headers)
    post = client.post("/api/posts", json={"body": "bob's", "media_ids": [image["id"]]}, headers=bob_headers)
    reposted = client.post(f"/api/posts/{post.get_json()['id']}/repost", headers=headers).get_json()
    assert reposted["media"] == [image]
    user.follow(other)
    db.session.commit()
    items = client.get("/api/timeline", headers=headers).get_json()["items"]
    repost = next(item for item in items if item["repost_of"] is not None)
    assert repost["media"] == [] and repost["repost_of"]["media"] == [image]


def test_search_results_carry_their_media(client, headers):
    image = uploaded(client, headers)
    client.post("/api/posts", json={"body": "a findable sunset", "media_ids": [image["id"]]}, headers=headers)
    items = client.get("/api/search?q=sunset", headers=headers).get_json()["items"]
    assert [item["media"] for item in items] == [[image]]


def test_someone_elses_image_is_400_and_nothing_is_posted(client, user, headers, other):
    theirs = uploaded(client, bearer(token_for(client, "bob")))
    mine = uploaded(client, headers)
    body = {"body": "not mine", "media_ids": [mine["id"], theirs["id"]]}
    assert_error(client.post("/api/posts", json=body, headers=headers), 400, "Bad Request")
    assert count_rows(Post) == 0
    db.session.expire_all()
    assert all(row.post_id is None for row in db.session.scalars(db.select(Media)))
    assert db.session.get(type(user), user.id).posts_counter == 0


@pytest.mark.parametrize("problem", ["attached", "unknown", "repeated"])
def test_an_image_that_cannot_be_attached_is_400(client, headers, problem):
    image = uploaded(client, headers)
    if problem == "attached":
        first = client.post("/api/posts", json={"body": "first", "media_ids": [image["id"]]}, headers=headers)
        assert first.status_code == 201
        ids = [image["id"]]
    elif problem == "unknown":
        ids = [image["id"], 999_999]
    else:
        ids = [image["id"], image["id"]]
    before = count_rows(Post)
    body = assert_error(
        client.post("/api/posts", json={"body": "again", "media_ids": ids}, headers=headers), 400, "Bad Request"
    )
    assert body["message"] == str(media.CannotAttach.message)
    assert count_rows(Post) == before


def test_five_images_are_400(client, headers):
    ids = [uploaded(client, headers)["id"] for _ in range(5)]
    response = client.post("/api/posts", json={"body": "too many", "media_ids": ids}, headers=headers)
    assert "media_ids" in assert_error(response, 400, "Bad Request")["fields"]
    assert count_rows(Post) == 0
    four = client.post("/api/posts", json={"body": "four", "media_ids": ids[:4]}, headers=headers)
    assert four.status_code == 201 and len(four.get_json()["media"]) == 4


@pytest.mark.parametrize("media_ids", [[0], ["1"], [1.5], "1", [None], {"id": 1}])
def test_media_ids_must_be_a_list_of_ids(client, headers, media_ids):
    response = client.post("/api/posts", json={"body": "x", "media_ids": media_ids}, headers=headers)
    assert "media_ids" in assert_error(response, 400, "Bad Request")["fields"]


def test_a_post_with_images_still_needs_a_body(client, headers):
    image = uploaded(client, headers)
    response = client.post("/api/posts", json={"body": "", "media_ids": [image["id"]]}, headers=headers)
    assert "body" in assert_error(response, 400, "Bad Request")["fields"]
    assert db.session.get(Media, image["id"]).post_id is None


def test_the_openapi_document_describes_uploads(client):
    spec = client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/media"]["post"]
    assert set(operation["responses"]) >= {"201", "400", "401", "413", "415"}
    schema = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    upload_schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    assert upload_schema["properties"]["file"] == {**upload_schema["properties"]["file"], "format": "binary"}
    assert upload_schema["properties"]["description"]["maxLength"] == 1500
    assert set(upload_schema["required"]) == {"file", "description"}
    schemas = spec["components"]["schemas"]
    assert set(schemas["Media"]["properties"]) == MEDIA_FIELDS
    assert schemas["Post"]["properties"]["media"]["items"] == {"$ref": "#/components/schemas/Media"}
    assert schemas["PostCreate"]["properties"]["media_ids"]["maxItems"] == 4
