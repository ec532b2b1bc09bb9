"""Uploaded avatars: a person's own picture instead of the generated one, on every page, and its removal."""

import io
import os
import re
from datetime import timedelta

import pytest
from PIL import ExifTags, Image

from app import accounts, avatars, conversations, media
from app.avatars import identicon
from app.extensions import db
from app.models import User, utcnow
from tests.support.api import assert_error, bearer, token_for
from tests.support.apps import make_app, pushed
from tests.support.auth import signed_in
from tests.support.factories import DEFAULT_PASSWORD, UserFactory
from tests.support.images import image_bytes, multipart_file, noise, photo_with_gps, png_declaring

ONE_YEAR = "public, max-age=31536000, immutable"
PICTURE_URL = re.compile(r"/avatar/(\d+)/([A-Za-z0-9_-]{22})/(original|preview)\.jpg")


@pytest.fixture
def app(uploads):
    """The usual test app, its image files in this test's `uploads` folder."""
    yield from pushed(make_app(UPLOAD_DIR=str(uploads)))


def files(uploads) -> set[str]:
    return {path.name for path in uploads.iterdir()} if uploads.exists() else set()


def upload(client, data: bytes, filename: str = "me.jpg"):
    """Send the profile editor's picture form; follow the redirect back to the editor."""
    return client.post("/avatar", follow_redirects=True, **multipart_file("picture", data, filename))


def fresh(user: User) -> User:
    """The user as the database has it now (the requests ran in sessions of their own)."""
    db.session.expire_all()
    return db.session.get(User, user.id)


def get(client, path: str):
    """GET `path` and close the response (a served file stays open until then)."""
    response = client.get(path)
    response.get_data()
    response.close()
    return response


def reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def make_old(uploads, days: float) -> None:
    then = (utcnow() - timedelta(days=days)).timestamp()
    for path in uploads.iterdir():
        os.utime(path, (then, then))


# Uploading through the profile editor


def test_the_profile_editor_offers_labelled_multipart_forms(logged_in, user):
    page = logged_in.get("/edit_profile").text
    form = re.search(r'<form[^>]*action="/avatar"[^>]*>', page).group(0)
    assert 'method="post"' in form and 'enctype="multipart/form-data"' in form
    assert re.search(r'<label[^>]*for="picture"', page)
    assert 'accept="image/jpeg,image/png,image/webp,image/gif"' in page
    assert f'src="{user.avatar(256)}"' in page and 'alt="Your current picture"' in page
    # Nothing to remove yet.
    assert 'action="/avatar/remove"' not in page


def test_an_uploaded_picture_shows_on_the_profile_and_in_cards(logged_in, user, uploads):
    post = conversations.publish(user, "hello with my face", "en")
    db.session.commit()
    before = logged_in.get("/explore").text  # the card is cached with the identicon
    assert f'<img src="{user.avatar(70)}"' in before and "/avatar/" in before

    response = upload(logged_in, image_bytes("JPEG", size=(640, 480)))
    assert response.status_code == 200
    assert "Your new picture is saved." in response.text
    susan = fresh(user)
    assert susan.avatar_key is not None
    assert files(uploads) == {f"{susan.avatar_key}-original.jpg", f"{susan.avatar_key}-preview.jpg"}
    large, small = susan.avatar(256), susan.avatar(70)
    assert large == f"/avatar/{susan.id}/{susan.avatar_key}/original.jpg"
    assert small == f"/avatar/{susan.id}/{susan.avatar_key}/preview.jpg"
    assert f'<img src="{large}" width="128"' in logged_in.get("/user/susan").text
    for path in ("/explore", "/user/susan", f"/post/{post.id}"):
        assert f'<img src="{small}" width="70"' in logged_in.get(path).text, path
    assert f'src="{large}"' in response.text  # the editor shows it, and offers to remove it
    assert 'action="/avatar/remove"' in response.text


def test_the_picture_is_a_square_jpeg_served_with_nosniff_and_a_long_cache(logged_in, client, user):
    upload(logged_in, image_bytes("PNG", size=(300, 100)))
    susan = fresh(user)
    for size, pixels in ((256, 256), (64, 128)):
        response = get(client, susan.avatar(size))  # anyone may see it, signed in or not
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == ONE_YEAR
        assert response.headers["Content-Security-Policy"] == "default-src 'none'"
        assert "Set-Cookie" not in response.headers
        assert reopen(response.data).size == (pixels, pixels)


def test_the_picture_costs_one_query_even_for_a_signed_in_visitor(uploads):
    for app in pushed(make_app(UPLOAD_DIR=str(uploads), QUERY_COUNT_HEADER=True)):
        user = UserFactory(username="susan")
        avatars.set_picture(user, image_bytes())
        db.session.commit()
        response = get(signed_in(app, "susan"), user.avatar(70))
        assert response.status_code == 200
        assert response.headers["X-Query-Count"] == "1"  # the account's row: no session user is loaded
        assert "Set-Cookie" not in response.headers


def test_a_transparent_picture_is_laid_on_the_identicon_background(logged_in, client, user):
    upload(logged_in, image_bytes("PNG", size=(50, 50), color=(0, 0, 0, 0), mode="RGBA"))
    picture = reopen(get(client, fresh(user).avatar(256)).data)
    assert picture.mode == "RGB"
    red, green, blue = picture.getpixel((128, 128))
    assert all(abs(channel - 0xF0) <= 3 for channel in (red, green, blue))


def test_the_picture_keeps_no_metadata(logged_in, client, user):
    assert reopen(photo_with_gps()).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the upload does carry GPS
    upload(logged_in, photo_with_gps())
    susan = fresh(user)
    for size in (256, 64):
        data = get(client, susan.avatar(size)).data
        picture = reopen(data)
        assert dict(picture.getexif()) == {}
        assert "exif" not in picture.info and "comment" not in picture.info
        assert b"Spy Camera" not in data and b"taken at home" not in data


def test_a_picture_over_a_megabyte_fits_in_the_request(logged_in, app, user):
    data = noise("PNG", size=(700, 700))
    assert app.config["MAX_CONTENT_LENGTH"] < len(data) < app.config["MAX_IMAGE_BYTES"]
    assert "Your new picture is saved." in upload(logged_in, data, "big.png").text
    assert fresh(user).avatar_key is not None


def test_a_new_picture_replaces_the_old_one_and_its_files(logged_in, client, user, uploads):
    upload(logged_in, image_bytes("JPEG", color=(200, 0, 0)))
    first = fresh(user)
    first_key, first_url = first.avatar_key, first.avatar(256)
    conversations.publish(first, "a card with my first picture", "en")
    db.session.commit()
    assert first.avatar(70) in logged_in.get("/explore").text
    upload(logged_in, image_bytes("JPEG", color=(0, 0, 200)))
    second = fresh(user)
    assert second.avatar_key not in (None, first_key)
    assert files(uploads) == {f"{second.avatar_key}-original.jpg", f"{second.avatar_key}-preview.jpg"}
    explore = logged_in.get("/explore").text  # the cached card changed with the picture
    assert second.avatar(70) in explore and first_key not in explore
    # A page cached with the old URL gets the new picture, not a broken image.
    old = get(client, first_url)
    assert old.status_code == 302 and old.location == second.avatar(256)
    assert "immutable" not in old.headers["Cache-Control"]


def test_removing_the_picture_returns_to_the_identicon(logged_in, client, user, uploads):
    upload(logged_in, image_bytes())
    picture_url = fresh(user).avatar(256)
    response = logged_in.post("/avatar/remove", follow_redirects=True)
    assert response.status_code == 200
    assert "Your picture is removed" in response.text
    susan = fresh(user)
    assert susan.avatar_key is None
    assert files(uploads) == set()
    identicon_url = f"/avatar/{susan.id}/{identicon.fingerprint(susan.id)}.svg?s=256"
    assert susan.avatar(256) == identicon_url
    assert f'<img src="{identicon_url}"' in logged_in.get("/user/susan").text
    assert 'action="/avatar/remove"' not in response.text
    gone = get(client, picture_url)
    assert gone.status_code == 302 and gone.location == identicon_url


def test_removing_when_there_is_no_picture_changes_nothing(logged_in, user):
    response = logged_in.post("/avatar/remove", follow_redirects=True)
    assert response.status_code == 200
    assert "Your picture is removed" not in response.text
    assert fresh(user).avatar_key is None


# Refused files


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"<?php system($_GET['cmd']); ?>\n", "shell.jpg", "is not an image in a format we accept"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "face.svg",
            "is not an image in a format we accept",
        ),
        (png_declaring(50_000, 50_000), "bomb.png", "This image has more than 40 million pixels."),
        (b"", "empty.jpg", "is not an image in a format we accept"),
    ],
    ids=["php-named-jpg", "svg-with-script", "decompression-bomb", "empty"],
)
def test_a_hostile_or_broken_file_is_refused_with_a_message(logged_in, user, uploads, data, filename, message):
    response = upload(logged_in, data, filename)
    assert response.status_code == 200
    assert "Your picture was not changed" in response.text
    assert message in response.text
    assert 'class="alert alert-danger"' in response.text
    assert fresh(user).avatar_key is None
    assert files(uploads) == set()


def test_a_file_over_the_byte_limit_is_refused(logged_in, app, user, uploads):
    media.service().max_bytes = 100_000
    response = upload(logged_in, noise("PNG", size=(300, 300)), "large.png")
    assert "This image is larger than 0.095" in response.text
    assert fresh(user).avatar_key is None
    assert files(uploads) == set()


def test_a_refused_file_keeps_the_current_picture(logged_in, user, uploads):
    upload(logged_in, image_bytes())
    kept = files(uploads)
    key = fresh(user).avatar_key
    upload(logged_in, b"GIF89a but not really", "fake.gif")
    assert fresh(user).avatar_key == key
    assert files(uploads) == kept


def test_sending_the_form_without_a_file_asks_for_one(logged_in, user):
    response = logged_in.post("/avatar", data={}, follow_redirects=True)
    assert "Your picture was not changed: Choose a picture to upload." in response.text
    assert fresh(user).avatar_key is None


def test_the_forms_need_a_signed_in_person(client, user):
    for path in ("/avatar", "/avatar/remove"):
        response = client.post(path, data={"picture": (io.BytesIO(image_bytes()), "me.jpg")})
        assert response.status_code == 302 and "/auth/login" in response.location
    assert fresh(user).avatar_key is None


def test_the_forms_need_a_csrf_token(csrf_enabled, user):
    signed = signed_in(csrf_enabled, "susan")
    refused = signed.post(
        "/avatar", data={"picture": (io.BytesIO(image_bytes()), "me.jpg")}, content_type="multipart/form-data"
    )
    assert refused.status_code == 400
    assert signed.post("/avatar/remove").status_code == 400
    assert fresh(user).avatar_key is None


# Someone else's picture


def test_someone_elses_picture_cannot_be_changed_through_the_api(client, user, uploads):
    john = UserFactory(username="john")
    avatars.set_picture(john, image_bytes())
    db.session.commit()
    key, names = john.avatar_key, files(uploads)
    headers = bearer(token_for(client, "susan"))
    put = client.put(f"/api/users/{john.id}/avatar", headers=headers, **multipart_file("file", image_bytes(), "me.jpg"))
    assert_error(put, 403, "Forbidden")
    assert_error(client.delete(f"/api/users/{john.id}/avatar", headers=headers), 403, "Forbidden")
    assert fresh(john).avatar_key == key
    assert files(uploads) == names


def test_a_suspended_accounts_picture_is_its_identicon(client, user):
    avatars.set_picture(user, image_bytes())
    db.session.commit()
    url = user.avatar(256)
    assert get(client, url).status_code == 200
    user.suspended_at = utcnow()
    db.session.commit()
    hidden = get(client, url)
    assert hidden.status_code == 302
    assert hidden.location == f"/avatar/{user.id}/{identicon.fingerprint(user.id)}.svg?s=256"


def test_made_up_picture_urls_find_no_file(client, user):
    avatars.set_picture(user, image_bytes())
    db.session.commit()
    for path in (
        f"/avatar/{user.id}/{user.avatar_key}/thumbnail.jpg",
        f"/avatar/{user.id}/{user.avatar_key}/original.png",
        f"/avatar/{user.id}/..%2F..%2Fapp.db/original.jpg",
    ):
        assert get(client, path).status_code in (302, 404), path
    # Someone else's id with this key: their own picture, not this one.
    other = UserFactory()
    response = get(client, f"/avatar/{other.id}/{user.avatar_key}/original.jpg")
    assert response.status_code == 302 and response.location == other.avatar(256)
    assert get(client, f"/avatar/99999999999/{user.avatar_key}/original.jpg").status_code == 302


# Other providers


def test_with_gravatar_an_uploaded_picture_comes_first(uploads):
    for app in pushed(make_app(AVATAR_PROVIDER="gravatar", UPLOAD_DIR=str(uploads))):
        UserFactory(username="susan")
        client = signed_in(app, "susan")
        susan = db.session.scalar(User.by_username("susan"))
        conversations.publish(susan, "my own face", "en")
        db.session.commit()
        assert "gravatar.com" in client.get("/explore").text
        upload(client, image_bytes())
        susan = fresh(susan)
        explore = client.get("/explore").text
        assert f'<img src="{susan.avatar(70)}"' in explore and "gravatar.com" not in explore
        assert PICTURE_URL.fullmatch(susan.avatar(70))
        assert get(client, susan.avatar(70)).mimetype == "image/jpeg"


# Cleaning up


def test_flask_media_prune_keeps_live_pictures_and_removes_replaced_ones(app, user, uploads, monkeypatch):
    avatars.set_picture(user, image_bytes())
    db.session.commit()
    live = files(uploads)
    # A replaced picture whose files could not be removed at the time (the storage was down).
    monkeypatch.setattr(media.storage(), "delete", lambda names: None)
    avatars.set_picture(user, image_bytes(color=(0, 90, 0)))
    db.session.commit()
    monkeypatch.undo()
    current = {name for name in files(uploads) if name.startswith(user.avatar_key)}
    assert files(uploads) == live | current and live != current
    make_old(uploads, 30)
    result = app.test_cli_runner().invoke(args=["media", "prune"])
    assert result.exit_code == 0, result.output
    assert "Removed 0 unattached image(s) and 2 orphan file(s)." in result.output
    assert files(uploads) == current
    assert get(app.test_client(), user.avatar(256)).status_code == 200


def test_deleting_the_account_removes_the_picture_files(logged_in, user, uploads):
    upload(logged_in, image_bytes())
    assert len(files(uploads)) == 2
    response = logged_in.post("/settings/delete_account", data={"password": DEFAULT_PASSWORD, "understood": "y"})
    assert response.status_code == 302
    assert files(uploads) == set()


def test_a_rolled_back_account_deletion_keeps_the_picture(app, user, uploads):
    avatars.set_picture(user, image_bytes())
    db.session.commit()
    kept = files(uploads)
    accounts.delete_account(user)
    db.session.flush()
    db.session.rollback()
    assert files(uploads) == kept


def test_a_rolled_back_upload_leaves_no_file(app, user, uploads):
    avatars.set_picture(user, image_bytes())
    assert len(files(uploads)) == 2
    db.session.rollback()
    assert files(uploads) == set()
    assert fresh(user).avatar_key is None
