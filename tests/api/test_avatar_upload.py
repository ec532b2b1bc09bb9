"""PUT and DELETE /api/users/<id>/avatar: one's own picture, sent as multipart/form-data."""

import pytest

from app import avatars, media
from app.avatars import identicon
from app.extensions import db
from app.models import User
from tests.support.api import assert_error
from tests.support.apps import make_app, pushed
from tests.support.images import image_bytes, multipart_file, noise, png_declaring


@pytest.fixture
def app(uploads):
    """The usual test app, its image files in this test's `uploads` folder."""
    yield from pushed(make_app(UPLOAD_DIR=str(uploads)))


def files(uploads) -> set[str]:
    return {path.name for path in uploads.iterdir()} if uploads.exists() else set()


def put_avatar(client, user_id: int, headers: dict, data: bytes, filename: str = "me.jpg", field: str = "file"):
    return client.put(f"/api/users/{user_id}/avatar", headers=headers, **multipart_file(field, data, filename))


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_putting_a_picture_answers_the_user_with_its_url(client, user, headers, uploads):
    response = put_avatar(client, user.id, headers, image_bytes("JPEG", size=(400, 300)))
    assert response.status_code == 200, response.text
    data = response.get_json()
    susan = fresh(user)
    assert data["id"] == susan.id and data["email"] == "susan@example.com"
    assert data["_links"]["avatar"] == f"/avatar/{susan.id}/{susan.avatar_key}/preview.jpg" == susan.avatar(128)
    assert files(uploads) == {f"{susan.avatar_key}-original.jpg", f"{susan.avatar_key}-preview.jpg"}
    picture = client.get(data["_links"]["avatar"])
    assert picture.status_code == 200 and picture.mimetype == "image/jpeg"
    picture.close()
    # Others see it too.
    other = client.get(f"/api/users/{susan.id}", headers=headers).get_json()
    assert other["_links"]["avatar"] == data["_links"]["avatar"]


def test_a_second_picture_replaces_the_first(client, user, headers, uploads):
    first = put_avatar(client, user.id, headers, image_bytes()).get_json()["_links"]["avatar"]
    second = put_avatar(client, user.id, headers, image_bytes(color=(1, 2, 3))).get_json()["_links"]["avatar"]
    assert first != second
    assert len(files(uploads)) == 2


def test_deleting_the_picture_goes_back_to_the_identicon(client, user, headers, uploads):
    put_avatar(client, user.id, headers, image_bytes())
    response = client.delete(f"/api/users/{user.id}/avatar", headers=headers)
    assert response.status_code == 204 and response.data == b""
    assert fresh(user).avatar_key is None
    assert files(uploads) == set()
    data = client.get(f"/api/users/{user.id}", headers=headers).get_json()
    assert data["_links"]["avatar"] == f"/avatar/{user.id}/{identicon.fingerprint(user.id)}.svg?s=128"
    # Again: nothing to remove, still 204.
    assert client.delete(f"/api/users/{user.id}/avatar", headers=headers).status_code == 204


@pytest.mark.parametrize(
    ("data", "filename", "status", "reason"),
    [
        (b"<?php system($_GET['cmd']); ?>\n", "shell.jpg", 400, "Bad Request"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "x.svg", 400, "Bad Request"),
        (b"", "empty.png", 400, "Bad Request"),
        (png_declaring(50_000, 50_000), "bomb.png", 413, "Request Entity Too Large"),
    ],
    ids=["php-named-jpg", "svg-with-script", "empty", "decompression-bomb"],
)
def test_a_hostile_file_is_refused_with_json(client, user, headers, uploads, data, filename, status, reason):
    body = assert_error(put_avatar(client, user.id, headers, data, filename), status, reason)
    assert "image" in body["message"]
    assert fresh(user).avatar_key is None
    assert files(uploads) == set()


def test_a_file_over_the_byte_limit_is_a_413(client, user, headers, uploads):
    media.service().max_bytes = 100_000
    body = assert_error(put_avatar(client, user.id, headers, noise(size=(300, 300))), 413, "Request Entity Too Large")
    assert "larger than" in body["message"]
    assert files(uploads) == set()


def test_a_picture_over_a_megabyte_is_accepted(client, user, headers, app):
    data = noise(size=(700, 700))
    assert len(data) > app.config["MAX_CONTENT_LENGTH"]
    assert put_avatar(client, user.id, headers, data, "big.png").status_code == 200


def test_a_missing_or_misnamed_file_field_is_a_400(client, user, headers):
    body = assert_error(put_avatar(client, user.id, headers, image_bytes(), field="picture"), 400, "Bad Request")
    assert "file" in body["fields"]
    no_body = client.put(f"/api/users/{user.id}/avatar", headers=headers)
    assert "file" in assert_error(no_body, 400, "Bad Request")["fields"]
    assert fresh(user).avatar_key is None


def test_someone_elses_picture_is_403_and_an_unknown_user_404(client, user, other, headers, uploads):
    avatars.set_picture(other, image_bytes())
    db.session.commit()
    key = other.avatar_key
    assert_error(put_avatar(client, other.id, headers, image_bytes()), 403, "Forbidden")
    assert_error(client.delete(f"/api/users/{other.id}/avatar", headers=headers), 403, "Forbidden")
    assert fresh(other).avatar_key == key and len(files(uploads)) == 2
    assert_error(put_avatar(client, 999_999, headers, image_bytes()), 404, "Not Found")
    assert_error(client.delete("/api/users/999999/avatar", headers=headers), 404, "Not Found")


def test_without_a_token_it_is_a_401(client, user):
    assert_error(put_avatar(client, user.id, {}, image_bytes()), 401, "Unauthorized")
    assert_error(client.delete(f"/api/users/{user.id}/avatar"), 401, "Unauthorized")


def test_the_openapi_document_describes_the_upload(client):
    path = client.get("/api/openapi.json").get_json()["paths"]["/api/users/{id}/avatar"]
    body = path["put"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["$ref"].endswith("/AvatarUpload")
    schema = client.get("/api/openapi.json").get_json()["components"]["schemas"]["AvatarUpload"]
    assert schema["properties"]["file"] == {
        "type": "string",
        "format": "binary",
        "description": schema["properties"]["file"]["description"],
    }
    assert schema["required"] == ["file"]
    assert {"200", "400", "401", "403", "404", "413"} <= set(path["put"]["responses"])
    assert {"204", "401", "403", "404"} <= set(path["delete"]["responses"])
