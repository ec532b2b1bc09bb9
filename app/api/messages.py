"""Private messages: read the ones you received, send new ones."""

import sqlalchemy.orm as so
from flask import abort, g

from app import safety
from app.api import schemas
from app.api.blueprint import bp
from app.api.pagination import paginated
from app.api.representation import collection, dump
from app.extensions import db
from app.models import Message, User, visibility
from app.pagination import count, paginate


def recipient_or_404(data: dict) -> User:
    """Return the recipient named by id or username, or answer 404."""
    if "recipient_id" in data:
        user = db.session.get(User, data["recipient_id"])
    else:
        user = db.session.scalar(User.by_username(data["recipient"]))
    if user is None:
        abort(404, "There is no such recipient.")
    if user.is_remote:
        abort(400, "Messages reach only accounts of this server.")
    return user


@bp.route("/messages", methods=["GET"])
@paginated(schemas.MessageCollection)
def get_messages(page: int, per_page: int):
    """Return a page of the messages you received, newest first."""
    query = (
        g.current_user.messages_received.select()
        .where(visibility.visible_senders(g.current_user))
        .options(so.joinedload(Message.author), so.joinedload(Message.recipient))
        .order_by(Message.timestamp.desc(), Message.id.desc())
    )
    return collection(paginate(query, page, per_page, total=count(query)), "api.get_messages")


@bp.route("/messages", methods=["POST"], errors=(400, 403, 404, 413, 415))
@bp.arguments(schemas.MessageCreate)
@bp.response(201, schemas.Message)
def send_message(data: dict):
    """Send a private message to a user (by `recipient_id` or `recipient` username) and notify them."""
    recipient = recipient_or_404(data)
    if recipient.is_suspended or safety.blocked_between(g.current_user, recipient):
        abort(403, "You cannot send messages to this user.")
    message = g.current_user.send_message(recipient, data["body"])
    db.session.commit()
    return dump(message)
