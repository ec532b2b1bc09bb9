"""Emails as RQ jobs: sent by a real worker, retried when the mail server fails or the worker dies."""

import asyncio
import threading

import pytest
from redis import Redis
from rq.registry import StartedJobRegistry

from app.email import send_email
from app.tasks import QUEUE_NAME
from tests.support.apps import make_app, reset_database
from tests.support.live_server import free_port
from tests.support.smtp import SMTPInbox, smtp_server
from tests.support.workers import kill_worker, start_worker

SUBJECT = "Survives a restart ✓"
TEXT = "Plain text with ünïcödé and 中文."
HTML = "<p>HTML with <b>ünïcödé</b> and 中文.</p>"


class HangsOnFirstDelivery(SMTPInbox):
    """A mail server that never answers the first message it is sent (as if hung mid-send); accepts the rest."""

    def __init__(self):
        super().__init__()
        self.first_delivery = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if not self.first_delivery.is_set():
            self.first_delivery.set()
            await asyncio.sleep(3600)
        return await super().handle_DATA(server, session, envelope)


def mail_app(tmp_path, host: str, port: int, redis_url: str):
    return make_app(
        f"sqlite:///{tmp_path / 'mail.db'}",
        MAIL_SERVER=host,
        MAIL_PORT=port,
        REDIS_URL=redis_url,
        MAIL_RETRY_INTERVALS=[1, 1],
    )


def send_test_email(app) -> None:
    with app.test_request_context():
        send_email(SUBJECT, None, ["someone@example.com"], TEXT, HTML)


def assert_sent_as_written(message) -> None:
    assert message["Subject"] == SUBJECT
    assert message["To"] == "someone@example.com"
    assert message.get_body(("plain",)).get_content().strip() == TEXT
    assert message.get_body(("html",)).get_content().strip() == HTML


def expire_abandoned_executions(redis_url: str) -> None:
    """Make the dead worker's job look abandoned now rather than 60+ s after its last heartbeat.

    RQ keeps a running job in the StartedJobRegistry until its heartbeat lapses; a worker's
    maintenance then retries the job if it has retries left. Waiting for the lapse would take over a
    minute, so only the clock is moved: the new worker still finds, retries and sends the job itself.
    """
    connection = Redis.from_url(redis_url)
    registry = StartedJobRegistry(QUEUE_NAME, connection=connection)
    entries = connection.zrange(registry.key, 0, -1)
    assert len(entries) == 1, "the killed worker left no job behind"
    connection.zadd(registry.key, {entry: 1 for entry in entries})


@pytest.mark.redis
def test_an_email_whose_worker_is_killed_mid_send_is_sent_by_the_next_worker(tmp_path, redis_url):
    inbox = HangsOnFirstDelivery()
    with smtp_server(inbox) as (host, port, _):
        app = mail_app(tmp_path, host, port, redis_url)
        send_test_email(app)
        assert inbox.messages == []  # queued, not sent by the web process

        first = start_worker(app, tmp_path / "first.log", burst=False)
        try:
            assert inbox.first_delivery.wait(timeout=20), (tmp_path / "first.log").read_text()
        finally:
            kill_worker(first)
        expire_abandoned_executions(redis_url)

        # As deployed (Procfile, compose, supervisor): with the scheduler that runs the timed retries.
        second = start_worker(app, tmp_path / "second.log", burst=False, scheduler=True)
        try:
            [message] = inbox.wait_for(1, timeout=20)
        finally:
            second.terminate()
            second.wait(timeout=20)
        assert_sent_as_written(message)
    reset_database(app)


@pytest.mark.redis
def test_an_email_that_fails_is_retried_until_the_mail_server_answers(tmp_path, redis_url):
    port = free_port()
    app = mail_app(tmp_path, "127.0.0.1", port, redis_url)
    send_test_email(app)
    start_worker(app, tmp_path / "down.log").wait(timeout=30)  # nothing listens: the first attempt fails
    assert "could not send email" in (tmp_path / "down.log").read_text()
    with smtp_server(SMTPInbox()) as (host, live_port, inbox):
        # The mail server is back; the next worker (which reads MAIL_PORT from its environment) finds it.
        app.config["MAIL_PORT"] = live_port
        worker = start_worker(app, tmp_path / "up.log", burst=False, scheduler=True)
        try:
            [message] = inbox.wait_for(1, timeout=20)
        finally:
            worker.terminate()
            worker.wait(timeout=20)
    assert_sent_as_written(message)
    reset_database(app)


def test_without_redis_a_thread_of_the_web_process_sends_it(tmp_path):
    with smtp_server() as (host, port, inbox):
        app = make_app(f"sqlite:///{tmp_path / 'mail.db'}", MAIL_SERVER=host, MAIL_PORT=port, REDIS_URL=None)
        send_test_email(app)
        [message] = inbox.wait_for(1)
    assert_sent_as_written(message)
    reset_database(app)


def test_with_redis_down_the_web_process_sends_it_itself(tmp_path):
    with smtp_server() as (host, port, inbox):
        app = make_app(
            f"sqlite:///{tmp_path / 'mail.db'}",
            MAIL_SERVER=host,
            MAIL_PORT=port,
            REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
        )
        send_test_email(app)
        [message] = inbox.wait_for(1)
    assert_sent_as_written(message)
    reset_database(app)
