"""The job that sends one email from an RQ worker; RQ retries it when it raises (or its worker dies)."""

from typing import Any

from flask import current_app

from app.email import deliver
from app.tasks.registry import job


@job
def deliver_email(email: dict[str, Any]) -> None:
    """Send an email queued by `app.email.send_email`; a failure raises, so RQ tries again later."""
    deliver(current_app._get_current_object(), email, raise_errors=True)
