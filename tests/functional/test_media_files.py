"""Serving images: the right type, nosniff, a year's cache, and nothing for unknown keys or hidden accounts."""

import io

import boto3
import pytest
from moto import mock_aws
from PIL import Image

from app import conversations, media
from app.extensions import db
from app.models import Post, utcnow
from tests.support.apps import IsolatedClient, make_app
from tests.support.factories import UserFactory
from tests.support.images import image_bytes

CACHE_CONTROL = "public, max-age=31536000, immutable"


def get(client, path: str):
    """GET `path` and close the response (a served file stays open until then)."""
    response = client.get(path)
    response.get_data()
    response.close()
    return response


@pytest.fixture
def client(media_app):
    return media_app.test_client()


@pytest.fixture
def susan(media_app):
    return UserFactory(username="susan")


@pytest.fixture
def photo(susan):
    """Susan's published post with a JPEG photo (3000 px wide, so its preview is smaller)."""
    row = media.store(susan, image_bytes("JPEG", size=(3000, 1500)), "A long beach at noon")
    post = conversations.publish(susan, "at the beach", "en")
    media.attach([row.id], post, susan)
    db.session.commit()
    return row


def test_the_original_and_the_preview_are_served_with_long_cache_and_nosniff(client, photo):
    for variant, width in (("original", 3000), ("preview", 1024)):
        response = get(client, f"/media/{photo.key}/{variant}")
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == CACHE_CONTROL
        assert response.data[:3] == b"\xff\xd8\xff"
        assert len(response.data) == (photo.size if variant == "original" else photo.preview_size)
        assert Image.open(io.BytesIO(response.data)).width == width


def test_a_png_is_served_as_a_png(client, susan):
    row = media.store(susan, image_bytes("PNG", size=(20, 20), color=(0, 0, 0, 0), mode="RGBA"), "nothing")
    db.session.commit()
    response = get(client, f"/media/{row.key}/original")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG")


def test_the_url_helper_names_the_route(media_app, photo):
    with media_app.test_request_context():
        assert media.url(photo) == f"/media/{photo.key}/preview"
        assert media.url(photo, "original", external=True) == f"http://localhost/media/{photo.key}/original"


def test_an_unknown_key_or_variant_is_a_404(client, photo):
    for path in (
        "/media/AAAAAAAAAAAAAAAAAAAAAA/original",
        f"/media/{photo.key}/thumbnail",
        f"/media/{photo.key}",
        f"/media/{photo.key[:-1]}/original",
    ):
        assert get(client, path).status_code == 404, path


@pytest.mark.parametrize(
    "path",
    [
        "/media/../app.db/original",
        "/media/..%2F..%2Fconfig.py/original",
        "/media/%2E%2E/original",
        "/media/{key}-original.jpg/original",
        "/media/{key}/..%2F..%2Fapp.db",
        "/media/{key}/original/../../../etc/passwd",
        "/media/%00{key}/original",
        "/media/{key}%00/original",
    ],
)
def test_path_traversal_finds_nothing(client, photo, uploads, path):
    (uploads / "secret.txt").write_text("not for you")
    response = get(client, path.format(key=photo.key))
    assert response.status_code in (400, 404)
    assert b"not for you" not in response.data


def test_an_image_of_a_suspended_account_is_gone(client, susan, photo):
    susan.suspended_at = utcnow()
    db.session.commit()
    assert get(client, f"/media/{photo.key}/preview").status_code == 404
    susan.suspended_at = None
    db.session.commit()
    assert get(client, f"/media/{photo.key}/preview").status_code == 200


def test_an_image_of_a_deleted_post_is_gone(client, susan, photo):
    key = photo.key
    assert get(client, f"/media/{key}/original").status_code == 200
    conversations.delete(db.session.get(Post, photo.post_id))
    db.session.commit()
    assert get(client, f"/media/{key}/original").status_code == 404


def test_behind_nginx_the_app_answers_with_x_accel_redirect(uploads):
    app = make_app(UPLOAD_DIR=str(uploads), MEDIA_ACCEL_REDIRECT="/_uploads/")
    app.test_client_class = IsolatedClient
    with app.app_context():
        owner = UserFactory()
        row = media.store(owner, image_bytes("JPEG"), "a red rectangle")
        db.session.commit()
        response = get(app.test_client(), f"/media/{row.key}/preview")
        assert response.status_code == 200
        assert response.headers["X-Accel-Redirect"] == f"/_uploads/{row.key}-preview.jpg"
        assert response.mimetype == "image/jpeg"
        assert response.headers["Cache-Control"] == CACHE_CONTROL
        assert response.data == b""
        db.session.remove()


def test_with_a_public_bucket_url_the_app_redirects_there(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="pics")
        app = make_app(S3_BUCKET="pics", S3_REGION="us-east-1", S3_PUBLIC_URL="https://pics.example.com")
        app.test_client_class = IsolatedClient
        with app.app_context():
            row = media.store(UserFactory(), image_bytes("JPEG"), "a red rectangle")
            db.session.commit()
            response = get(app.test_client(), f"/media/{row.key}/original")
            assert response.status_code == 302
            assert response.headers["Location"] == f"https://pics.example.com/{row.key}-original.jpg"
            db.session.remove()


def test_a_private_bucket_is_served_through_the_app(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="pics")
        app = make_app(S3_BUCKET="pics", S3_REGION="us-east-1")
        app.test_client_class = IsolatedClient
        with app.app_context():
            row = media.store(UserFactory(), image_bytes("PNG"), "a red rectangle")
            db.session.commit()
            response = get(app.test_client(), f"/media/{row.key}/original")
            assert response.status_code == 200
            assert response.mimetype == "image/png"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.data == media.storage().read(row.file_name("original"))
            db.session.remove()
