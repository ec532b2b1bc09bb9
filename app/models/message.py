"""A private message between two users."""

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.user import User


class Message(db.Model):
    """A message of at most 140 characters from `author` to `recipient`."""

    __table_args__ = (sa.Index("ix_message_recipient_id_timestamp", "recipient_id", "timestamp"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    sender_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    recipient_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    body: so.Mapped[str] = so.mapped_column(sa.String(140))
    timestamp: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True, default=utcnow)

    author: so.Mapped["User"] = so.relationship(foreign_keys="Message.sender_id", back_populates="messages_sent")
    recipient: so.Mapped["User"] = so.relationship(
        foreign_keys="Message.recipient_id", back_populates="messages_received"
    )

    def __repr__(self) -> str:
        return f"<Message {self.body}>"

    def to_dict(self) -> dict[str, Any]:
        """Return the API representation of this message (load author and recipient with it)."""
        return {
            "id": self.id,
            "body": self.body,
            "timestamp": self.timestamp.isoformat(),
            "sender_id": self.sender_id,
            "sender": self.author.username,
            "recipient_id": self.recipient_id,
            "recipient": self.recipient.username,
        }
