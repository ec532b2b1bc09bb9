"""Send email through Flask-Mail, or write it to the log when no mail server is configured.

With REDIS_URL an email is an RQ job (app.tasks.email), retried with back-off when the mail server
or the worker fails; without Redis, or when Redis cannot take it, a thread of this process sends it.
"""

import logging
import threading
from collections.abc import Iterable
from typing import Any

from flask import Flask, current_app
from flask_mail import Message

from app.extensions import mail

log = logging.getLogger(__name__)

# The name under which app.tasks.email registers the job that sends one email.
SEND_EMAIL_JOB = "deliver_email"


def message_from(email: dict[str, Any]) -> Message:
    """Build the Flask-Mail message of an email as `send_email` describes it (a picklable dict)."""
    msg = Message(email["subject"], sender=email["sender"], recipients=email["recipients"])
    msg.body = email["text_body"]
    msg.html = email["html_body"]
    for filename, content_type, data in email["attachments"]:
        msg.attach(filename, content_type, data)
    return msg


def deliver(app: Flask, email: dict[str, Any], raise_errors: bool = False) -> None:
    """Hand one email to the mail server; log a failure, and re-raise it when asked."""
    msg = message_from(email)
    with app.app_context():
        try:
            mail.send(msg)
        except Exception:
            log.exception("could not send email %r to %s", msg.subject, ", ".join(msg.recipients))
            if raise_errors:
                raise
            return
        if not app.config.get("MAIL_SERVER"):
            log.info("email (console outbox) to %s: %s\n%s", ", ".join(msg.recipients), msg.subject, msg.body)


def _queued(app: Flask, email: dict[str, Any]) -> bool:
    """Queue the email on RQ; return False without Redis, or when Redis cannot take it."""
    runner = app.extensions["tasks"]
    try:
        return runner.queue_job(SEND_EMAIL_JOB, email, retry_intervals=app.config["MAIL_RETRY_INTERVALS"])
    except Exception:
        log.warning("could not queue email %r: sending it from this process", email["subject"], exc_info=True)
        return False


def send_email(
    subject: str,
    sender: str | None,
    recipients: Iterable[str],
    text_body: str,
    html_body: str,
    attachments: Iterable[tuple[str, str, bytes]] | None = None,
    sync: bool = False,
) -> None:
    """Send an email with text and HTML bodies.

    In the background by default (an RQ job with REDIS_URL, else a thread), where a failure is
    logged; with `sync` the caller waits and a failure is raised, so a task can report it.
    """
    email = {
        "subject": subject,
        "sender": sender or current_app.config["MAIL_DEFAULT_SENDER"],
        "recipients": list(recipients),
        "text_body": text_body,
        "html_body": html_body,
        "attachments": list(attachments or ()),
    }
    app = current_app._get_current_object()
    if sync:
        deliver(app, email, raise_errors=True)
    elif _queued(app, email):
        return
    elif app.testing:
        deliver(app, email)
    else:
        threading.Thread(target=deliver, args=(app, email), name="send-email", daemon=True).start()
