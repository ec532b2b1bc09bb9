"""A short public post."""

from datetime import datetime
from typing import TYPE_CHECKING, Any, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import url_for

from app.extensions import db
from app.models.mixins import PaginatedAPIMixin, SearchableMixin
from app.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.user import User


class Post(SearchableMixin, PaginatedAPIMixin, db.Model):
    """A post of at most 140 characters."""

    __searchable__ = ["body"]
    __table_args__ = (sa.Index("ix_post_user_id_timestamp", "user_id", "timestamp"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    body: so.Mapped[str] = so.mapped_column(sa.String(140))
    timestamp: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True, default=utcnow)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    language: so.Mapped[Optional[str]] = so.mapped_column(sa.String(5))

    author: so.Mapped["User"] = so.relationship(back_populates="posts")

    def __repr__(self) -> str:
        return f"<Post {self.body}>"

    def to_dict(self) -> dict[str, Any]:
        """Return the API representation of this post."""
        return {
            "id": self.id,
            "body": self.body,
            "timestamp": self.timestamp.isoformat(),
            "language": self.language or "",
            "author_id": self.user_id,
            "author": self.author.username,
            "_links": {
                "self": url_for("api.get_post", id=self.id),
                "author": url_for("api.get_user", id=self.user_id),
            },
        }
