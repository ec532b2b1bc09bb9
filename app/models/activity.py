"""What happened to a user's posts and account: replies, mentions, likes, reposts and new followers."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.post import Post
    from app.models.user import User


class ActivityKind(enum.StrEnum):
    REPLY = "reply"
    MENTION = "mention"
    LIKE = "like"
    REPOST = "repost"
    FOLLOW = "follow"


# Kinds that the activity page gathers into one entry per post ("@a and 4 others liked your post").
GROUPED_KINDS = (ActivityKind.LIKE, ActivityKind.REPOST)


class Activity(db.Model):
    """One event for `user`: `actor` did `kind` (to `post`, the reply or mention itself, or the liked post)."""

    __table_args__ = (
        # Covering: the unread badge and the activity page's newest events read the index alone.
        sa.Index(
            "ix_activity_user_id_timestamp_id_actor_id_kind_post_id",
            "user_id",
            "timestamp",
            "id",
            "actor_id",
            "kind",
            "post_id",
        ),
        sa.Index("ix_activity_post_id", "post_id"),
        sa.Index("ix_activity_actor_id", "actor_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    actor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    post_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("post.id", ondelete="CASCADE"))
    timestamp: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    actor: so.Mapped["User"] = so.relationship(foreign_keys=[actor_id])
    post: so.Mapped[Optional["Post"]] = so.relationship()

    def __repr__(self) -> str:
        return f"<Activity {self.kind} by {self.actor_id} for {self.user_id}>"
