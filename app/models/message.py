"""A private message between two users."""

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.mixins import PaginatedAPIMixin
from app.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.user import User


class Message(PaginatedAPIMixin, db.Model):
    """A message of at most 140 characters from `author` to `recipient`."""

    __table_args__ = (sa.Index("ix_message_recipient_id_timestamp", "recipient_id", "timestamp"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # None once that person deleted their account: the other party reads "deleted account".
    sender_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    recipient_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    body: so.Mapped[str] = so.mapped_column(sa.String(140))
    timestamp: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True, default=utcnow)

    author: so.Mapped[Optional["User"]] = so.relationship(
        foreign_keys="Message.sender_id", back_populates="messages_sent"
    )
    recipient: so.Mapped[Optional["User"]] = so.relationship(
        foreign_keys="Message.recipient_id", back_populates="messages_received"
    )

    def __repr__(self) -> str:
        return f"<Message {self.body}>"

    @property
    def sender_name(self) -> str | None:
        """The sender's username, or None once they deleted their account."""
        return self.author.username if self.author is not None else None
