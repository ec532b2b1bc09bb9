"""Deliveries to other servers as RQ jobs on the real Redis: sent by a real `rq worker`, retried on failure.

The remote server is tests/support/peers.py's, on loopback; the delivery is the Accept that answers
a Follow it sends to this server's inbox.
"""

import json
import time

import pytest
import sqlalchemy as sa
from redis import Redis
from rq import Queue
from rq.registry import ScheduledJobRegistry

from app import conversations
from app.extensions import db
from app.models import FailedDelivery, User
from app.tasks import QUEUE_NAME
from config import Config
from tests.support.apps import TestConfig, reset_database
from tests.support.factories import UserFactory
from tests.support.live_server import free_port
from tests.support.peers import HOST, ORIGIN, Peer, federated_app
from tests.support.workers import start_worker

# What the worker must share with the web process to sign as its accounts.
WORKER_ENV = {
    "SECRET_KEY": TestConfig.SECRET_KEY,
    "FEDERATION": "1",
    "SERVER_NAME": HOST,
    "PREFERRED_URL_SCHEME": "https",
    "FEDERATION_ALLOW_PRIVATE_PEERS": "1",
}


def app_with_alice(tmp_path, redis_url, **settings):
    app = federated_app(tmp_path / "federation.db", REDIS_URL=redis_url, **settings)
    with app.app_context():
        UserFactory(username="alice")
        db.session.commit()
    return app


def send_follow(app, peer) -> float:
    """Deliver a Follow of alice from the peer's bob; return how long the inbox took to answer."""
    bob = peer.actor("bob")
    follow = {"id": f"{bob.uri}/follows/1", "type": "Follow", "actor": bob.uri, "object": f"{ORIGIN}/user/alice"}
    body, headers = peer.signed(bob, f"{ORIGIN}/user/alice/inbox", follow)
    with app.app_context():
        started = time.monotonic()
        response = app.test_client().post("/user/alice/inbox", data=body, headers=headers)
        elapsed = time.monotonic() - started
        db.session.remove()
    assert response.status_code == 202, response.data
    return elapsed


@pytest.mark.redis
def test_a_worker_delivers_the_accept_signed(tmp_path, redis_url):
    with Peer() as peer:
        app = app_with_alice(tmp_path, redis_url)
        send_follow(app, peer)
        assert Queue(QUEUE_NAME, connection=Redis.from_url(redis_url)).count == 1
        assert peer.deliveries == []  # queued, not sent by the web process
        start_worker(app, tmp_path / "worker.log", extra_env=WORKER_ENV).wait(timeout=60)
        (accept,) = peer.wait_for_deliveries(1)
    activity = json.loads(accept.body)
    assert activity["type"] == "Accept" and activity["actor"] == f"{ORIGIN}/user/alice"
    assert accept.headers["Signature"].startswith(f'keyId="{ORIGIN}/user/alice#main-key"')
    assert accept.headers["Digest"].startswith("SHA-256=")
    reset_database(app)


@pytest.mark.redis
def test_a_failed_delivery_is_scheduled_again(tmp_path, redis_url):
    with Peer() as peer:
        peer.failing.add("/users/bob/inbox")
        app = app_with_alice(tmp_path, redis_url)
        send_follow(app, peer)
        start_worker(app, tmp_path / "worker.log", extra_env=WORKER_ENV).wait(timeout=60)
        assert len(peer.wait_for_deliveries(1)) == 1
    log = (tmp_path / "worker.log").read_text()
    assert "DeliveryFailed" in log and "answered 500" in log, log
    connection = Redis.from_url(redis_url)
    (job_id,) = ScheduledJobRegistry(QUEUE_NAME, connection=connection).get_job_ids()
    job = Queue(QUEUE_NAME, connection=connection).fetch_job(job_id)
    assert job.retries_left == len(Config.FEDERATION_RETRY_INTERVALS) - 1
    reset_database(app)


def test_with_redis_down_the_web_process_delivers_it_itself(tmp_path):
    with Peer() as peer:
        app = app_with_alice(tmp_path, f"redis://127.0.0.1:{free_port()}/0")
        send_follow(app, peer)
        (accept,) = peer.wait_for_deliveries(1)
    assert json.loads(accept.body)["type"] == "Accept"
    reset_database(app)


def test_a_remote_inbox_that_hangs_does_not_slow_the_request(tmp_path):
    with Peer() as peer:
        peer.hanging.add("/users/bob/inbox")
        app = app_with_alice(tmp_path, None)
        assert send_follow(app, peer) < 2  # the Accept waits on the peer in a thread, not in the request
    reset_database(app)


@pytest.mark.redis
def test_a_post_reaches_remote_followers_through_the_worker(tmp_path, redis_url):
    with Peer() as peer:
        app = app_with_alice(tmp_path, redis_url)
        send_follow(app, peer)
        with app.app_context():
            alice = db.session.scalar(User.by_username("alice"))
            post = conversations.publish(alice, "Posted while bob follows from afar", "en")
            db.session.commit()
            post_id = post.id
            db.session.remove()
        assert peer.deliveries == []  # the Accept and the fan-out wait for a worker
        start_worker(app, tmp_path / "worker.log", extra_env=WORKER_ENV).wait(timeout=60)
        deliveries = peer.wait_for_deliveries(2)
    kinds = sorted(json.loads(delivery.body)["type"] for delivery in deliveries)
    assert kinds == ["Accept", "Create"], (tmp_path / "worker.log").read_text()
    create = next(json.loads(d.body) for d in deliveries if json.loads(d.body)["type"] == "Create")
    assert create["object"]["id"] == f"{ORIGIN}/post/{post_id}"
    reset_database(app)


@pytest.mark.redis
def test_a_delivery_whose_last_attempt_fails_is_kept_for_a_retry(tmp_path, redis_url):
    with Peer() as peer:
        peer.failing.add("/users/bob/inbox")
        app = app_with_alice(tmp_path, redis_url, FEDERATION_RETRY_INTERVALS=[])  # one attempt: the last
        send_follow(app, peer)
        worker_env = WORKER_ENV | {"FEDERATION_RETRY_INTERVALS": ""}
        start_worker(app, tmp_path / "worker.log", extra_env=worker_env).wait(timeout=60)
        with app.app_context():
            (kept,) = db.session.scalars(sa.select(FailedDelivery)).all()
            assert kept.inbox == f"{peer.base}/users/bob/inbox" and "answered 500" in kept.error
            db.session.remove()
    reset_database(app)
