"""The two homes of image files: a local directory and an S3-compatible bucket (moto stands in for S3)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from app import media
from app.media.storage import LocalStorage, S3Storage
from tests.support.apps import make_app
from tests.support.factories import UserFactory
from tests.support.images import image_bytes

BUCKET = "microblog-media"
HOSTILE_NAMES = ["../escape.jpg", "a/b.jpg", "/etc/passwd", "..", ".jpg", "x.jpg/..", "name", "a\\b.jpg", "é.jpg"]


@pytest.fixture
def local(tmp_path):
    return LocalStorage(tmp_path / "uploads")


@pytest.fixture
def s3(monkeypatch):
    """An S3Storage on a bucket of moto's in-memory S3."""
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield S3Storage(BUCKET, region="us-east-1", prefix="media")


@pytest.fixture(params=["local", "s3"])
def storage(request):
    return request.getfixturevalue(request.param)


def test_a_saved_file_reads_back_and_is_listed(storage):
    storage.save("abc-original.jpg", b"jpeg bytes", "image/jpeg")
    assert storage.read("abc-original.jpg") == b"jpeg bytes"
    listed = dict(storage.list())
    assert list(listed) == ["abc-original.jpg"]
    assert abs(listed["abc-original.jpg"] - datetime.now(UTC)) < timedelta(minutes=1)


def test_a_missing_file_is_file_not_found(storage):
    with pytest.raises(FileNotFoundError):
        storage.read("nothing-original.jpg")


def test_delete_removes_the_files_and_ignores_missing_ones(storage):
    for name in ("a-original.png", "a-preview.png", "b-original.png"):
        storage.save(name, b"png", "image/png")
    storage.delete(["a-original.png", "a-preview.png", "never-original.png"])
    assert [name for name, _ in storage.list()] == ["b-original.png"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_name_that_could_leave_the_folder_is_refused(storage, name):
    for action in (lambda: storage.save(name, b"x", "image/png"), lambda: storage.read(name)):
        with pytest.raises(ValueError):
            action()
    with pytest.raises(ValueError):
        storage.delete([name])


def test_the_local_directory_is_created_on_first_write_and_holds_only_the_file(local):
    assert not local.root.exists()
    local.save("k-original.jpg", b"data", "image/jpeg")
    assert sorted(path.name for path in local.root.iterdir()) == ["k-original.jpg"]
    assert local.path("k-original.jpg").parent == local.root
    assert local.public_url("k-original.jpg") is None


def test_s3_objects_carry_their_type_and_cache_lifetime_under_the_prefix(s3):
    s3.save("k-preview.png", b"png", "image/png")
    head = s3.client.head_object(Bucket=BUCKET, Key="media/k-preview.png")
    assert head["ContentType"] == "image/png"
    assert head["CacheControl"] == "public, max-age=31536000, immutable"
    s3.client.put_object(Bucket=BUCKET, Key="elsewhere/notes.txt", Body=b"not ours")
    assert [name for name, _ in s3.list()] == ["k-preview.png"]


def test_s3_public_url_points_into_the_bucket():
    with mock_aws():
        storage = S3Storage(BUCKET, region="us-east-1", public_url="https://cdn.example.com/", prefix="m")
        assert storage.public_url("k-original.jpg") == "https://cdn.example.com/m/k-original.jpg"
        assert S3Storage(BUCKET, region="us-east-1").public_url("k-original.jpg") is None


def test_the_app_uses_the_local_directory_by_default(tmp_path):
    app = make_app(UPLOAD_DIR=str(tmp_path / "files"))
    with app.app_context():
        storage = media.storage()
        assert isinstance(storage, LocalStorage)
        assert storage.root == (tmp_path / "files").resolve()
    default = make_app(UPLOAD_DIR=None)
    assert default.extensions["media"].storage.root == Path(default.instance_path) / "uploads"


def test_the_app_stores_images_in_the_bucket_when_s3_bucket_is_set(monkeypatch):
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    with mock_aws():
        boto3.client("s3", region_name="eu-west-1").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        app = make_app(S3_BUCKET=BUCKET, S3_REGION="eu-west-1", S3_ACCESS_KEY_ID="id", S3_SECRET_ACCESS_KEY="key")
        with app.app_context():
            row = media.store(UserFactory(), image_bytes("PNG"), "a red square")
            assert isinstance(media.storage(), S3Storage)
            names = sorted(name for name, _ in media.storage().list())
            assert names == sorted(row.file_names)
