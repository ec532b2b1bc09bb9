"""Notifications: the events the site polls for (unread messages, task progress)."""

from flask import g

from app.api import bp, schemas
from app.api.auth import token_auth_required
from app.api.pagination import paginated
from app.extensions import db
from app.models import Notification
from app.models.mixins import collection_dict


class NotificationArgs(schemas.NotificationArgs, schemas.PaginationArgs):
    pass


@bp.route("/notifications", methods=["GET"])
@token_auth_required
@paginated(NotificationArgs)
@bp.response(200, schemas.NotificationCollection)
def get_notifications(since: float, page: int, per_page: int):
    """Return your notifications newer than `since` (seconds since the epoch), oldest first."""
    query = (
        g.current_user.notifications.select()
        .where(Notification.timestamp > since)
        .order_by(Notification.timestamp.asc(), Notification.id.asc())
    )
    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    items = [{"name": n.name, "data": n.get_data(), "timestamp": n.timestamp} for n in result.items]
    return collection_dict(items, page, per_page, result.total or 0, "api.get_notifications", since=since)
