"""Emails sent by the auth blueprint."""

from flask import render_template
from flask_babel import _

from app.email import send_email
from app.models import User


def send_password_reset_email(user: User) -> None:
    """Email `user` a single-use link to choose a new password."""
    token = user.get_reset_password_token()
    send_email(
        _("[Microblog] Reset Your Password"),
        sender=None,
        recipients=[user.email],
        text_body=render_template("email/reset_password.txt", user=user, token=token),
        html_body=render_template("email/reset_password.html", user=user, token=token),
    )
