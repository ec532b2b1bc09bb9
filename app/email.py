"""Send email through Flask-Mail, or write it to the log when no mail server is configured."""

import logging
import threading
from collections.abc import Iterable

from flask import current_app
from flask_mail import Message

from app.extensions import mail

log = logging.getLogger(__name__)


def _deliver(app, msg: Message, raise_errors: bool = False) -> None:
    """Hand one message to the mail server; log a failure, and re-raise it when asked."""
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

    In the background by default, where a failure is logged; with `sync` the
    caller waits and a failure is raised, so a task can report it.
    """
    msg = Message(subject, sender=sender or current_app.config["MAIL_DEFAULT_SENDER"], recipients=list(recipients))
    msg.body = text_body
    msg.html = html_body
    for filename, content_type, data in attachments or ():
        msg.attach(filename, content_type, data)
    app = current_app._get_current_object()
    if sync:
        _deliver(app, msg, raise_errors=True)
    elif app.testing:
        _deliver(app, msg)
    else:
        threading.Thread(target=_deliver, args=(app, msg), name="send-email", daemon=True).start()
