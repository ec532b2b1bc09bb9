"""A small event for one user, polled by the browser."""

import json
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db

if TYPE_CHECKING:
    from app.models.user import User


class Notification(db.Model):
    """The latest value of a named event (`unread_message_count`, `task_progress`)."""

    __table_args__ = (sa.Index("ix_notification_user_id_timestamp", "user_id", "timestamp"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(128), index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    # Seconds since the epoch; a double everywhere (a MySQL FLOAT would lose the fraction).
    timestamp: so.Mapped[float] = so.mapped_column(sa.Double)
    payload_json: so.Mapped[str] = so.mapped_column(sa.Text)

    user: so.Mapped["User"] = so.relationship(back_populates="notifications")

    def get_data(self) -> Any:
        """Return the decoded payload."""
        return json.loads(self.payload_json)
