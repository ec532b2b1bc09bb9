"""What readers attach to a post: likes, mentions and hashtags."""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Like(db.Model):
    """One person liking one post: the primary key allows one like per person per post."""

    __tablename__ = "post_like"
    __table_args__ = (sa.Index("ix_post_like_post_id", "post_id"),)

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    post_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("post.id", ondelete="CASCADE"), primary_key=True)
    timestamp: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class Mention(db.Model):
    """A known user named with `@name` in a post; `name` is as written (lower-cased), so a rename keeps the link."""

    __table_args__ = (sa.Index("ix_mention_user_id", "user_id"),)

    post_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("post.id", ondelete="CASCADE"), primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(128))


class PostTag(db.Model):
    """A hashtag of a post, in its canonical form, with the post's time (tag pages sort by it)."""

    __tablename__ = "post_tag"
    __table_args__ = (
        # A tag's page, newest first, found from the index alone.
        sa.Index("ix_post_tag_tag_timestamp_post_id", "tag", "timestamp", "post_id"),
        # The tags of the last day (explore's trending list).
        sa.Index("ix_post_tag_timestamp", "timestamp"),
    )

    post_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("post.id", ondelete="CASCADE"), primary_key=True)
    tag: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    timestamp: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
