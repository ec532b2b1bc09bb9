"""Delivery: a signed POST of one activity to one remote inbox, as a background job.

With REDIS_URL an RQ job tries again after each of DELIVERY_RETRY_INTERVALS (about a day in all)
when the inbox is down or answers an error; without it, a thread of this process makes one
attempt. Either way the request that caused the delivery never waits for the remote server.
"""

import json
import logging
import threading
from typing import Any

import requests
from flask import Flask, current_app

from app.extensions import db
from app.federation import domains, keys, remote
from app.federation.documents import ACTIVITY_JSON, actor_url
from app.federation.signatures import sign
from app.models import User
from app.tasks import job

log = logging.getLogger(__name__)

DELIVER_JOB = "deliver_activity"
# Seconds between attempts: a minute, then 5 and 30 minutes, 2, 6 and 15 hours.
DELIVERY_RETRY_INTERVALS = (60, 300, 1800, 7200, 21600, 54000)
POST_SECONDS = 10


class DeliveryFailed(Exception):
    """The inbox could not be reached or refused the activity (a retry may do better)."""


def deliver_later(sender: User, inbox: str, activity: dict[str, Any]) -> None:
    """Send `activity` to `inbox`, signed as `sender`, in the background (after the caller commits)."""
    app = current_app._get_current_object()
    keys.key_for(sender)  # made here if need be (it commits), not by the job
    runner = app.extensions["tasks"]
    try:
        if runner.queue_job(DELIVER_JOB, sender.id, inbox, activity, retry_intervals=DELIVERY_RETRY_INTERVALS):
            return
    except Exception:
        log.warning("could not queue a delivery to %s: sending it from this process", inbox, exc_info=True)
    threading.Thread(target=_deliver_in_thread, args=(app, sender.id, inbox, activity), daemon=True).start()


@job
def deliver_activity(sender_id: int, inbox: str, activity: dict[str, Any]) -> None:
    """Job: POST `activity` to `inbox` signed with the sender's key; raise DeliveryFailed to be tried again."""
    sender = db.session.get(User, sender_id)
    if sender is None or sender.is_suspended:
        return  # the account is gone: nothing to say in its name
    if domains.blocked(remote.host_of(inbox)):
        return  # blocked since the delivery was queued
    key = keys.key_for(sender)
    body = json.dumps(activity).encode("utf-8")
    headers = sign("POST", inbox, body, f"{actor_url(sender.username)}#main-key", keys.private_key(key))
    headers["Content-Type"] = ACTIVITY_JSON
    try:
        remote.check_address(inbox)
        response = requests.post(inbox, data=body, headers=headers, timeout=(remote.CONNECT_SECONDS, POST_SECONDS))
    except (requests.RequestException, remote.FetchFailed) as error:
        raise DeliveryFailed(f"{inbox}: {error}") from error
    if response.status_code >= 300:
        raise DeliveryFailed(f"{inbox} answered {response.status_code}")


def _deliver_in_thread(app: Flask, sender_id: int, inbox: str, activity: dict[str, Any]) -> None:
    with app.app_context():
        try:
            deliver_activity(sender_id, inbox, activity)
        except DeliveryFailed as error:
            log.warning("delivery failed: %s", error)
        finally:
            db.session.remove()
