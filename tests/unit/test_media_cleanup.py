"""Images follow their rows: attaching, deleting a post or an account, rollbacks and `flask media prune`.

Runs on SQLite here and on PostgreSQL in tests/integration/postgres/test_media_cleanup.py.
"""

import os
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import accounts, conversations, media
from app.extensions import db
from app.models import Media, Post, User, utcnow
from tests.support.apps import count_rows, make_app, reset_database
from tests.support.factories import UserFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.usefixtures("request_ctx")


@pytest.fixture
def cleanup_app(database_url, uploads):
    """The app on this folder's database (`database_url`), its image files in `uploads`."""
    app = make_app(database_url, UPLOAD_DIR=str(uploads))
    with app.app_context():
        yield app
    reset_database(app)


@pytest.fixture
def request_ctx(cleanup_app):
    with cleanup_app.test_request_context():
        yield cleanup_app


def files(uploads) -> set[str]:
    return {path.name for path in uploads.iterdir()} if uploads.exists() else set()


def upload(owner: User, alt: str = "a picture", color=(10, 20, 30)) -> Media:
    row = media.store(owner, image_bytes("JPEG", color=color), alt)
    db.session.commit()
    return row


def post_with_images(author: User, count: int = 2, body: str = "look") -> tuple[Post, list[Media]]:
    rows = [upload(author, f"picture {n}") for n in range(count)]
    post = conversations.publish(author, body, "en")
    media.attach([row.id for row in rows], post, author)
    db.session.commit()
    return post, rows


def age(row: Media, uploads, days: float) -> None:
    """Make an image (its row and files) look `days` old."""
    row.created_at = utcnow() - timedelta(days=days)
    db.session.commit()
    for name in row.file_names:
        make_old(uploads / name, days)


def make_old(path, days: float) -> None:
    then = (utcnow() - timedelta(days=days)).timestamp()
    os.utime(path, (then, then))


# Storing and attaching


def test_store_writes_two_files_and_an_unattached_row(uploads):
    row = upload(UserFactory())
    assert files(uploads) == set(row.file_names)
    assert row.post_id is None and len(row.key) >= 22


def test_a_rolled_back_upload_leaves_no_file(uploads):
    media.store(UserFactory(), image_bytes(), "never committed")
    assert len(files(uploads)) == 2
    db.session.rollback()
    assert files(uploads) == set()
    assert count_rows(Media) == 0


def test_a_database_failure_while_storing_removes_the_files(uploads, monkeypatch):
    owner = UserFactory()

    def broken_flush(*args, **kwargs):
        raise sa.exc.OperationalError("INSERT INTO media", {}, Exception("the database went away"))

    monkeypatch.setattr(db.session(), "flush", broken_flush)
    with pytest.raises(sa.exc.OperationalError):
        media.store(owner, image_bytes(), "doomed")
    assert files(uploads) == set()


def test_a_failed_upload_leaves_the_earlier_uploads_of_its_transaction_alone(uploads, monkeypatch):
    owner = UserFactory()
    first = media.store(owner, image_bytes(), "the first of two")
    storage = media.storage()

    def full_disk(name, data, content_type):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage, "save", full_disk)
    with pytest.raises(OSError):
        media.store(owner, image_bytes(), "the second")
    db.session.commit()
    assert files(uploads) == set(first.file_names)
    assert count_rows(Media) == 1


def test_attach_keeps_the_order_given(uploads):
    author = UserFactory()
    rows = [upload(author, f"picture {n}") for n in range(3)]
    post = conversations.publish(author, "three", "en")
    media.attach([rows[2].id, rows[0].id, rows[1].id], post, author)
    db.session.commit()
    assert [(row.id, row.position) for row in media.for_posts([post.id])[post.id]] == [
        (rows[2].id, 0),
        (rows[0].id, 1),
        (rows[1].id, 2),
    ]
    assert db.session.get(Post, post.id).media_count == 3


def test_attach_refuses_what_is_not_the_posters_own_unattached_images(uploads):
    author, other = UserFactory(), UserFactory()
    five = [upload(author, f"picture {n}") for n in range(5)]
    theirs = upload(other)
    _, attached = post_with_images(author, count=1)
    post = conversations.publish(author, "a new one", "en")
    for ids in (
        [row.id for row in five],  # more than four
        [five[0].id, five[0].id],  # twice the same
        [theirs.id],  # someone else's
        [attached[0].id],  # on another post already
        [999_999],  # unknown
    ):
        with pytest.raises(media.CannotAttach):
            media.attach(ids, post, author)
    assert media.attach([], post, author) == []
    assert media.attach([row.id for row in five[:4]], post, author) == five[:4]


# Deleting


def test_deleting_a_post_deletes_its_images_and_files(uploads):
    author = UserFactory()
    post, rows = post_with_images(author)
    kept = upload(author, "not on the post")
    conversations.delete(post)
    db.session.commit()
    assert files(uploads) == set(kept.file_names)
    assert list(db.session.scalars(sa.select(Media.id))) == [kept.id]


def test_deleting_a_post_that_stays_as_a_tombstone_still_deletes_its_images(uploads):
    author, replier = UserFactory(), UserFactory()
    post, _ = post_with_images(author)
    conversations.publish(replier, "nice picture", "en", in_reply_to=post)
    db.session.commit()
    conversations.delete(db.session.get(Post, post.id))
    db.session.commit()
    assert db.session.get(Post, post.id).is_deleted
    assert db.session.get(Post, post.id).media_count == 0
    assert files(uploads) == set()
    assert count_rows(Media) == 0


def test_a_rolled_back_deletion_keeps_the_files(uploads):
    post, rows = post_with_images(UserFactory())
    conversations.delete(post)
    db.session.flush()
    db.session.rollback()
    assert files(uploads) == {name for row in rows for name in row.file_names}
    assert count_rows(Media) == 2


def test_deleting_an_account_deletes_all_its_images(uploads):
    susan, john = UserFactory(), UserFactory()
    post_with_images(susan)
    upload(susan, "never attached")
    _, johns = post_with_images(john, count=1)
    accounts.delete_account(susan)
    db.session.commit()
    assert files(uploads) == set(johns[0].file_names)
    assert list(db.session.scalars(sa.select(Media.user_id))) == [john.id]


def test_deleting_posts_in_bulk_deletes_only_their_images(uploads):
    author = UserFactory()
    first, _ = post_with_images(author, count=1)
    second, _ = post_with_images(author, count=2)
    third, kept = post_with_images(author, count=1)
    assert media.delete_for_posts([first.id, second.id]) == 3
    db.session.commit()
    assert files(uploads) == set(kept[0].file_names)


# Pruning


def test_prune_removes_old_unattached_images_and_old_orphan_files(uploads):
    author = UserFactory()
    old_unattached = upload(author, "forgotten")
    fresh_unattached = upload(author, "being written")
    _, attached = post_with_images(author, count=1)
    age(old_unattached, uploads, 2)
    age(attached[0], uploads, 30)
    old_key = old_unattached.key
    kept = set(fresh_unattached.file_names) | set(attached[0].file_names)
    # Files no row names: an old one (a crashed upload) and a young one (an upload not committed yet).
    for name, days in (("OrphanOrphanOrphan0000-original.jpg", 3), ("YoungYoungYoungYoung00-preview.png", 0)):
        (uploads / name).write_bytes(b"left over")
        make_old(uploads / name, days)
    (uploads / "README.txt").write_text("an operator's note, not ours")
    make_old(uploads / "README.txt", 100)
    report = media.prune(timedelta(days=1))
    assert report.unattached == [old_key]
    assert report.orphan_files == ["OrphanOrphanOrphan0000-original.jpg"]
    assert files(uploads) == kept | {"YoungYoungYoungYoung00-preview.png", "README.txt"}
    assert count_rows(Media) == 2


def test_flask_media_prune_prints_what_it_removed(cleanup_app, uploads):
    row = upload(UserFactory(), "forgotten")
    age(row, uploads, 2)
    key = row.key
    (uploads / "OrphanOrphanOrphan0000-preview.png").write_bytes(b"left over")
    make_old(uploads / "OrphanOrphanOrphan0000-preview.png", 2)
    result = cleanup_app.test_cli_runner().invoke(args=["media", "prune"])
    assert result.exit_code == 0, result.output
    assert f"removed unattached image {key}" in result.output
    assert "removed orphan file OrphanOrphanOrphan0000-preview.png" in result.output
    assert "Removed 1 unattached image(s) and 1 orphan file(s)." in result.output
    assert files(uploads) == set()
    again = cleanup_app.test_cli_runner().invoke(args=["media", "prune"])
    assert "Removed 0 unattached image(s) and 0 orphan file(s)." in again.output
