"""Delivery: a signed POST of one activity to one remote inbox, as a background job.

With REDIS_URL an RQ job tries again after each of FEDERATION_RETRY_INTERVALS (about a day in all)
when the inbox is down or answers an error; without it, a thread of this process makes one
attempt. Either way the request that caused the delivery never waits for the remote server, and
a delivery whose last attempt fails is kept (FailedDelivery) for `flask federation deliver
--retry` to send again: a server that was down for longer loses nothing.
"""

import json
import logging
import threading
from typing import Any

import requests
import sqlalchemy as sa
from flask import Flask, current_app
from rq import get_current_job

from app.extensions import db
from app.federation import domains, keys, remote
from app.federation.documents import ACTIVITY_JSON, instance_key_url, key_url
from app.federation.signatures import sign
from app.models import FailedDelivery, User
from app.tasks import JOBS, job

log = logging.getLogger(__name__)

DELIVER_JOB = "deliver_activity"
FAREWELL_JOB = "deliver_farewell"
SERVER_JOB = "deliver_as_server"
POST_SECONDS = 10


class DeliveryFailed(Exception):
    """The inbox could not be reached or refused the activity (a retry may do better)."""


def deliver_later(sender: User, inbox: str, activity: dict[str, Any]) -> None:
    """Send `activity` to `inbox`, signed as `sender`, in the background (after the caller commits)."""
    keys.key_for(sender)  # made here if need be (it commits), not by the job
    _in_background(DELIVER_JOB, sender.id, inbox, activity)


def deliver_later_as(sender_id: int, inbox: str, activity: dict[str, Any]) -> None:
    """`deliver_later` for a session's after-commit work, which may not commit: the job makes the key if need be."""
    _in_background(DELIVER_JOB, sender_id, inbox, activity)


def deliver_farewell_later(sealed_key: str, key_id: str, inbox: str, activity: dict[str, Any]) -> None:
    """Send the Delete of an account that is gone, signed with the key it had (sealed), in the background."""
    _in_background(FAREWELL_JOB, sealed_key, key_id, inbox, activity)


def deliver_as_server_later(inbox: str, activity: dict[str, Any]) -> None:
    """Send `activity` to `inbox` signed by the instance actor (a forwarded report), in the background."""
    keys.instance_key()  # made here if need be (it commits), not by the job
    _in_background(SERVER_JOB, inbox, activity)


def _in_background(name: str, *args: Any) -> None:
    """Queue the job `name` on RQ, with the delivery retries; without Redis (or with it down), a thread runs it."""
    app = current_app._get_current_object()
    try:
        if app.extensions["tasks"].queue_job(name, *args, retry_intervals=app.config["FEDERATION_RETRY_INTERVALS"]):
            return
    except Exception:
        log.warning("could not queue %s: running it in this process", name, exc_info=True)
    threading.Thread(target=_run_in_thread, args=(app, JOBS[name], args), daemon=True).start()


@job
def deliver_activity(sender_id: int, inbox: str, activity: dict[str, Any]) -> None:
    """Job: POST `activity` to `inbox` signed with the sender's key; raise DeliveryFailed to be tried again."""
    sender = db.session.get(User, sender_id)
    if sender is None or sender.is_suspended:
        return  # the account is gone: nothing to say in its name
    if domains.blocked(remote.host_of(inbox)):
        return  # blocked since the delivery was queued
    try:
        _post(sender, inbox, activity)
    except DeliveryFailed as error:
        attempt = get_current_job()
        if attempt is None or not attempt.retries_left:  # a thread's only attempt, or RQ's last
            db.session.add(
                FailedDelivery(sender_id=sender_id, inbox=inbox, activity=json.dumps(activity), error=str(error)[:300])
            )
            db.session.commit()
        raise


def retry_failed() -> int:
    """Send every kept failed delivery again, oldest first (each one afresh, with its retries); return how many."""
    failed = list(db.session.scalars(sa.select(FailedDelivery).order_by(FailedDelivery.failed_at, FailedDelivery.id)))
    for delivery in failed:
        sender_id, inbox, activity = delivery.sender_id, delivery.inbox, json.loads(delivery.activity)
        db.session.delete(delivery)
        db.session.commit()  # gone before it is queued: a second retry run cannot send it twice
        sender = db.session.get(User, sender_id)
        if sender is not None:
            deliver_later(sender, inbox, activity)
    return len(failed)


@job
def deliver_farewell(sealed_key: str, key_id: str, inbox: str, activity: dict[str, Any]) -> None:
    """Job: POST the Delete of a deleted account, signed with its old key; raise DeliveryFailed to be tried again.

    Its account is gone, so a last failure is logged, not kept for `--retry`.
    """
    if not domains.blocked(remote.host_of(inbox)):
        _post_signed(keys.unseal(sealed_key), key_id, inbox, activity)


@job
def deliver_as_server(inbox: str, activity: dict[str, Any]) -> None:
    """Job: POST what the server itself says (a forwarded report), signed by its instance actor.

    No account stands behind it, so a last failure is logged, not kept for `--retry`.
    """
    if not domains.blocked(remote.host_of(inbox)):
        private = keys.unseal(keys.instance_key().private_key_sealed, "the instance key")
        _post_signed(private, instance_key_url(), inbox, activity)


def _post(sender: User, inbox: str, activity: dict[str, Any]) -> None:
    _post_signed(keys.private_key(keys.key_for(sender)), key_url(sender.username), inbox, activity)


def _post_signed(private_key, key_id: str, inbox: str, activity: dict[str, Any]) -> None:
    body = json.dumps(activity).encode("utf-8")
    headers = sign("POST", inbox, body, key_id, private_key)
    headers["Content-Type"] = ACTIVITY_JSON
    try:
        remote.check_address(inbox)
        response = requests.post(inbox, data=body, headers=headers, timeout=(remote.CONNECT_SECONDS, POST_SECONDS))
    except (requests.RequestException, remote.FetchFailed) as error:
        raise DeliveryFailed(f"{inbox}: {error}") from error
    if response.status_code >= 300:
        raise DeliveryFailed(f"{inbox} answered {response.status_code}")


def _run_in_thread(app: Flask, function, args: tuple) -> None:
    with app.app_context():
        try:
            function(*args)
        except DeliveryFailed as error:
            log.warning("delivery failed: %s", error)
        finally:
            db.session.remove()
