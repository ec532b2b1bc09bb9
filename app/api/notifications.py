"""Notifications: the events the site polls for (unread messages, task progress)."""

from flask import g

from app.api import schemas
from app.api.blueprint import bp
from app.api.pagination import paginated
from app.api.representation import collection
from app.models import Notification
from app.pagination import count, paginate


class NotificationArgs(schemas.NotificationArgs, schemas.PaginationArgs):
    pass


@bp.route("/notifications", methods=["GET"])
@paginated(schemas.NotificationCollection, NotificationArgs)
def get_notifications(since: float, page: int, per_page: int):
    """Return your notifications newer than `since` (seconds since the epoch), oldest first."""
    query = (
        g.current_user.notifications.select()
        .where(Notification.timestamp > since)
        .order_by(Notification.timestamp.asc(), Notification.id.asc())
    )
    return collection(paginate(query, page, per_page, total=count(query)), "api.get_notifications", since=since)
