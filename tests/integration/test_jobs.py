"""Exports on a real RQ worker and in-process: progress, email, images, failures, outages."""

import io
import json
import logging
import time
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import conversations, media
from app.extensions import db
from app.models import Media, Post, Task, utcnow
from app.tasks import export_posts
from tests.support.apps import counting_queries, make_app, reset_database
from tests.support.auth import log_in
from tests.support.factories import UserFactory
from tests.support.images import image_bytes
from tests.support.live_server import free_port
from tests.support.workers import kill_worker, start_worker


def jobs_app(tmp_path, smtp, **settings):
    host, port, _inbox = smtp
    database_url = f"sqlite:///{tmp_path / 'jobs.db'}"
    return make_app(database_url, MAIL_SERVER=host, MAIL_PORT=port, **settings)


def add_posts(user, count: int) -> None:
    start = utcnow() - timedelta(days=1)
    rows = [
        {
            "body": f"post {i} ünïcödé 中文",
            "user_id": user.id,
            "timestamp": start + timedelta(seconds=i),
            "language": "",
        }
        for i in range(count)
    ]
    db.session.execute(sa.insert(Post), rows)
    db.session.commit()


def task_of(user_id: int) -> Task:
    db.session.expire_all()
    return db.session.scalars(sa.select(Task).where(Task.user_id == user_id)).one()


def check_export_email(inbox, post_count: int) -> None:
    message = inbox.wait_for(1, timeout=30)[0]
    attachments = list(message.iter_attachments())
    assert [part.get_filename() for part in attachments] == ["posts.json"]
    assert attachments[0].get_content_type() == "application/json"
    data = json.loads(attachments[0].get_content())
    assert list(data) == ["posts"]
    assert len(data["posts"]) == post_count
    # Without images the entries are what they always were: no "media" list.
    assert all(list(entry) == ["body", "timestamp"] for entry in data["posts"])
    assert data["posts"][0]["body"] == "post 0 ünïcödé 中文"
    assert data["posts"][0]["timestamp"].endswith("+00:00")
    timestamps = [post["timestamp"] for post in data["posts"]]
    assert timestamps == sorted(timestamps)


@pytest.mark.redis
def test_export_on_rq_worker_reports_progress_and_emails_the_posts(tmp_path, smtp_server, redis_url):
    app = jobs_app(tmp_path, smtp_server, REDIS_URL=redis_url)
    with app.app_context():
        user = UserFactory(username="exporter")
        add_posts(user, 5000)
        client = app.test_client()
        log_in(client, "exporter")
        response = client.post("/export_posts")
        assert response.status_code == 302
        assert task_of(user.id).complete is False

        # A second request while the first is queued starts nothing new.
        client.post("/export_posts")
        assert db.session.scalar(sa.select(sa.func.count(Task.id))) == 1

        log_path = tmp_path / "worker.log"
        worker = start_worker(app, log_path, app_worker=True)
        seen = []
        while worker.poll() is None:
            for note in client.get("/notifications?since=0").get_json():
                if note["name"] == "task_progress" and (not seen or seen[-1] != note["data"]["progress"]):
                    seen.append(note["data"]["progress"])
            time.sleep(0.05)
        assert worker.returncode == 0, log_path.read_text()
        for note in client.get("/notifications?since=0").get_json():
            if note["name"] == "task_progress" and (not seen or seen[-1] != note["data"]["progress"]):
                seen.append(note["data"]["progress"])

        assert seen == sorted(seen) and seen[-1] == 100
        check_export_email(smtp_server[2], 5000)
        assert task_of(user.id).complete is True
    reset_database(app)


def test_export_in_process_emails_the_posts(tmp_path, smtp_server):
    app = jobs_app(tmp_path, smtp_server)
    with app.app_context():
        user = UserFactory(username="local")
        add_posts(user, 300)
        client = app.test_client()
        log_in(client, "local")
        assert client.post("/export_posts").status_code == 302
        check_export_email(smtp_server[2], 300)
        for _ in range(100):
            if task_of(user.id).complete:
                break
            time.sleep(0.05)
        assert task_of(user.id).complete is True
        page = client.get("/user/local").text
        assert "Export your posts" in page
    reset_database(app)


# Images: posts.zip


def add_posts_with_images(user, images_per_post: list[int]) -> list[Post]:
    """Publish one post per item, oldest first, carrying that many images (JPEG and PNG in turn)."""
    start = utcnow() - timedelta(hours=1)
    posts = []
    for n, count in enumerate(images_per_post):
        ids = [
            media.store(
                user,
                image_bytes("PNG" if i % 2 else "JPEG", size=(40 + n, 30 + i), color=(n * 20 % 256, i * 60, 90)),
                f'picture {i} of post {n}: "quoted" & <tagged>',
            ).id
            for i in range(count)
        ]
        post = media_post(user, f"post {n} with {count} images", ids)
        post.timestamp = start + timedelta(seconds=n)
        posts.append(post)
    db.session.commit()
    return posts


def media_post(user, body: str, media_ids: list[int]) -> Post:
    return conversations.publish(user, body, "en", media_ids=media_ids)


def expected_media(post: Post) -> list[dict]:
    """The posts.json `media` list of a post, from its Media rows."""
    rows = db.session.scalars(sa.select(Media).where(Media.post_id == post.id).order_by(Media.position))
    return [
        {
            "file": f"media/{row.key}.{'png' if row.content_type == 'image/png' else 'jpg'}",
            "description": row.alt_text,
            "content_type": row.content_type,
            "width": row.width,
            "height": row.height,
        }
        for row in rows
    ]


def stored_original(uploads, entry: dict) -> bytes:
    """The bytes the storage holds for an image listed in posts.json."""
    key, extension = entry["file"].removeprefix("media/").rsplit(".", 1)
    return (uploads / f"{key}-original.{extension}").read_bytes()


def only_attachment(inbox):
    """Return the export email's one attachment, and forget the email."""
    message = inbox.wait_for(1, timeout=30)[0]
    inbox.messages.clear()
    attachments = list(message.iter_attachments())
    assert len(attachments) == 1, [part.get_filename() for part in attachments]
    return message, attachments[0]


def export_zip(inbox) -> tuple[zipfile.ZipFile, dict, str]:
    """Return the export email's posts.zip, its posts.json, and the email's text."""
    message, attachment = only_attachment(inbox)
    assert (attachment.get_filename(), attachment.get_content_type()) == ("posts.zip", "application/zip")
    archive = zipfile.ZipFile(io.BytesIO(attachment.get_content()))
    assert archive.testzip() is None
    return archive, json.loads(archive.read("posts.json")), message.get_body(("plain",)).get_content()


def check_zip_matches(archive: zipfile.ZipFile, data: dict, posts: list[Post], uploads) -> None:
    """posts.json lists every post with its images, and each image's file is in the zip, as stored."""
    assert [entry["body"] for entry in data["posts"]] == [post.body for post in posts]
    listed = []
    for entry, post in zip(data["posts"], posts, strict=True):
        assert entry["media"] == expected_media(post)
        for image in entry["media"]:
            assert archive.read(image["file"]) == stored_original(uploads, image)
            listed.append(image["file"])
    assert sorted(archive.namelist()) == sorted(["posts.json", *listed])


def test_export_of_posts_with_images_emails_a_zip_of_posts_json_and_the_originals(tmp_path, smtp_server):
    uploads = tmp_path / "uploads"
    app = jobs_app(tmp_path, smtp_server, UPLOAD_DIR=str(uploads))
    with app.app_context():
        user = UserFactory(username="painter")
        posts = add_posts_with_images(user, [2, 0, 1, 4])
        client = app.test_client()
        log_in(client, "painter")
        assert client.post("/export_posts").status_code == 302
        archive, data, text = export_zip(smtp_server[2])
        check_zip_matches(archive, data, posts, uploads)
        assert data["posts"][1]["media"] == []
        assert data["posts"][0]["media"][0]["description"] == 'picture 0 of post 0: "quoted" & <tagged>'
        assert "with their images (posts.zip)" in text
        for _ in range(100):
            if task_of(user.id).complete:
                break
            time.sleep(0.05)
        assert task_of(user.id).complete is True
    reset_database(app)


def test_export_reads_the_images_once_per_batch_of_posts_not_per_post(tmp_path, smtp_server):
    uploads = tmp_path / "uploads"
    app = jobs_app(tmp_path, smtp_server, UPLOAD_DIR=str(uploads))
    with app.app_context():
        user = UserFactory(username="many")
        posts = add_posts_with_images(user, [1, 2, 0] * 10)
        with counting_queries() as counter:
            export_posts(user.id)
        media_queries = [sql for sql in counter.statements if "FROM media" in sql]
        assert len(media_queries) == 1
        archive, data, _text = export_zip(smtp_server[2])
        check_zip_matches(archive, data, posts, uploads)
    reset_database(app)


def test_export_too_large_for_an_email_sends_posts_json_without_the_images(tmp_path, smtp_server):
    uploads = tmp_path / "uploads"
    app = jobs_app(tmp_path, smtp_server, UPLOAD_DIR=str(uploads), EXPORT_MAX_ATTACHMENT_BYTES=1000)
    with app.app_context():
        user = UserFactory(username="heavy")
        posts = add_posts_with_images(user, [4, 4, 0])
        assert sum(row.size for row in db.session.scalars(sa.select(Media))) > 1000
        export_posts(user.id)
        message, attachment = only_attachment(smtp_server[2])
        assert attachment.get_filename() == "posts.json"
        data = json.loads(attachment.get_content())
        assert "too large to send by email" in data["note"]
        # The entries still describe their images, whose files were left out.
        assert [entry["media"] for entry in data["posts"]] == [expected_media(post) for post in posts]
        text = message.get_body(("plain",)).get_content()
        assert "Your images were left out" in text and "posts.zip" not in text
    reset_database(app)


def test_export_just_under_the_limit_still_sends_the_zip(tmp_path, smtp_server):
    uploads = tmp_path / "uploads"
    app = jobs_app(tmp_path, smtp_server, UPLOAD_DIR=str(uploads))
    with app.app_context():
        user = UserFactory(username="light")
        add_posts_with_images(user, [1])
        export_posts(user.id)
        size = len(only_attachment(smtp_server[2])[1].get_content())
        # The same export again, allowed exactly its size: still the zip; one byte less: posts.json.
        app.config["EXPORT_MAX_ATTACHMENT_BYTES"] = size
        export_posts(user.id)
        assert only_attachment(smtp_server[2])[1].get_filename() == "posts.zip"
        app.config["EXPORT_MAX_ATTACHMENT_BYTES"] = size - 1
        export_posts(user.id)
        assert only_attachment(smtp_server[2])[1].get_filename() == "posts.json"
    reset_database(app)


def test_export_skips_an_image_whose_file_is_missing_and_logs_it(tmp_path, smtp_server, caplog):
    uploads = tmp_path / "uploads"
    app = jobs_app(tmp_path, smtp_server, UPLOAD_DIR=str(uploads))
    with app.app_context():
        user = UserFactory(username="careless")
        posts = add_posts_with_images(user, [2, 1])
        lost = db.session.scalars(sa.select(Media).where(Media.post_id == posts[0].id, Media.position == 0)).one()
        (uploads / lost.file_name("original")).unlink()
        with caplog.at_level(logging.WARNING, logger="app.tasks.export"):
            export_posts(user.id)
        archive, data, _text = export_zip(smtp_server[2])
        assert [image["description"] for image in data["posts"][0]["media"]] == [
            'picture 1 of post 0: "quoted" & <tagged>'
        ]
        assert data["posts"][1]["media"] == expected_media(posts[1])
        assert f"media/{lost.key}.jpg" not in archive.namelist()
        assert len(archive.namelist()) == 3
        assert lost.key in caplog.text and "missing" in caplog.text
    reset_database(app)


@pytest.mark.redis
def test_export_with_images_on_rq_worker_reports_progress_and_emails_the_zip(tmp_path, smtp_server, redis_url):
    uploads = tmp_path / "uploads"
    app = jobs_app(tmp_path, smtp_server, REDIS_URL=redis_url, UPLOAD_DIR=str(uploads))
    with app.app_context():
        user = UserFactory(username="gallery")
        # Two batches of posts (1000 a batch): images in both, the oldest and the newest.
        first = add_posts_with_images(user, [1, 2])
        add_posts(user, 1500)
        last = media_post(user, "the newest, with an image", [media.store(user, image_bytes("PNG"), "newest").id])
        db.session.commit()
        client = app.test_client()
        log_in(client, "gallery")
        assert client.post("/export_posts").status_code == 302
        log_path = tmp_path / "worker.log"
        worker = start_worker(app, log_path, app_worker=True)
        seen = []
        while worker.poll() is None:
            for note in client.get("/notifications?since=0").get_json():
                if note["name"] == "task_progress" and (not seen or seen[-1] != note["data"]["progress"]):
                    seen.append(note["data"]["progress"])
            time.sleep(0.05)
        assert worker.returncode == 0, log_path.read_text()
        for note in client.get("/notifications?since=0").get_json():
            if note["name"] == "task_progress" and (not seen or seen[-1] != note["data"]["progress"]):
                seen.append(note["data"]["progress"])
        assert seen == sorted(seen) and seen[-1] == 100
        archive, data, _text = export_zip(smtp_server[2])
        assert len(data["posts"]) == 1503
        # add_posts backdates its posts by a day: they come first.
        assert [entry["media"] for entry in data["posts"][1500:]] == [expected_media(p) for p in [*first, last]]
        assert all(entry["media"] == [] for entry in data["posts"][:1500])
        assert len(archive.namelist()) == 1 + 4
        for entry in data["posts"][1500:]:
            for image in entry["media"]:
                assert archive.read(image["file"]) == stored_original(uploads, image)
        assert task_of(user.id).complete is True
    reset_database(app)


@pytest.mark.redis
def test_export_that_raises_is_shown_failed_with_a_retry_button(tmp_path, smtp_server, redis_url):
    # The mail server is down: sending the export raises inside the job.
    app = jobs_app(tmp_path, smtp_server, REDIS_URL=redis_url)
    app.config["MAIL_PORT"] = free_port()
    with app.app_context():
        user = UserFactory(username="unlucky")
        add_posts(user, 10)
        client = app.test_client()
        log_in(client, "unlucky")
        client.post("/export_posts")
        log_path = tmp_path / "worker.log"
        start_worker(app, log_path).wait(timeout=60)
        output = log_path.read_text()
        assert "Traceback" in output and "export_posts failed" in output
        task = task_of(user.id)
        assert task.failed is True and task.complete is False
        page = client.get("/user/unlucky").text
        assert "Your last export failed." in page and "Retry the export" in page
    reset_database(app)


@pytest.mark.redis
def test_export_whose_worker_is_killed_becomes_failed_after_the_stale_check(tmp_path, smtp_server, redis_url):
    app = jobs_app(tmp_path, smtp_server, REDIS_URL=redis_url, TASK_STALE_AFTER=2)
    with app.app_context():
        user = UserFactory(username="victim")
        add_posts(user, 60000)
        client = app.test_client()
        log_in(client, "victim")
        client.post("/export_posts")
        worker = start_worker(app, tmp_path / "worker.log", burst=False)
        try:
            deadline = time.monotonic() + 60
            while task_of(user.id).progress == 0 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert task_of(user.id).progress > 0, "the worker never started the export"
        finally:
            # RQ runs the job in a forked "work horse" in its own session: kill both.
            kill_worker(worker)
        assert not task_of(user.id).complete
        assert "victim" in client.get("/user/victim").text
        time.sleep(2.5)
        page = client.get("/user/victim").text
        assert "Your last export failed." in page
        assert task_of(user.id).failed is True
    reset_database(app)


def test_redis_down_pages_render_and_export_explains(tmp_path, smtp_server):
    app = jobs_app(tmp_path, smtp_server, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    with app.app_context():
        UserFactory(username="offline")
        client = app.test_client()
        log_in(client, "offline")
        for path in ("/index", "/explore", "/user/offline", "/messages", "/notifications?since=0"):
            assert client.get(path).status_code == 200, path
        assert "Exports are unavailable right now" in client.get("/user/offline").text
        response = client.post("/export_posts", follow_redirects=True)
        assert response.status_code == 200
        assert "Exports are unavailable right now" in response.text
    reset_database(app)


def test_launch_task_queues_the_named_task_with_the_user_id_first(tmp_path, smtp_server, redis_url):
    """The tutorial's contract: `launch_task(name, description)` queues `app.tasks.<name>(user.id)`."""
    app = jobs_app(tmp_path, smtp_server, REDIS_URL=redis_url)
    try:
        with app.app_context():
            user = UserFactory()
            task = user.launch_task("export_posts", "Exporting posts...")
            job = task.get_rq_job()
            assert job is not None and job.origin == "microblog-tasks"
            assert job.func is export_posts
            assert job.args == (user.id,)
    finally:
        reset_database(app)
