"""Exports on a real RQ worker and in-process: progress, email, failures, outages."""

import json
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Post, Task, utcnow
from app.tasks import export_posts
from tests.support.apps import make_app, reset_database
from tests.support.auth import log_in
from tests.support.factories import UserFactory
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
    attachments = [part for part in message.iter_attachments() if part.get_filename() == "posts.json"]
    assert len(attachments) == 1
    data = json.loads(attachments[0].get_content())
    assert len(data["posts"]) == post_count
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
