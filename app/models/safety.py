"""What keeps a community safe: blocks, mutes, reports and the moderators' audit log."""

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


class Block(db.Model):
    """`blocker` blocks `blocked`: no follows either way, no contact, and neither sees the other's posts."""

    __table_args__ = (sa.Index("ix_block_blocked_id_blocker_id", "blocked_id", "blocker_id"),)

    blocker_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    blocked_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    timestamp: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class Mute(db.Model):
    """`muter` no longer sees `muted`'s posts, reposts and mentions; `muted` is not told."""

    __table_args__ = (sa.Index("ix_mute_muted_id", "muted_id"),)

    muter_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    muted_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    timestamp: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class ReportReason(enum.StrEnum):
    SPAM = "spam"
    ABUSE = "abuse"
    ILLEGAL = "illegal"
    OTHER = "other"


class ReportStatus(enum.StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    ACTIONED = "actioned"


class Report(db.Model):
    """A signed-in person's report of a post (`post_id` set) or of an account; never shown to the reported."""

    __table_args__ = (
        sa.Index("ix_report_status_created_at", "status", "created_at"),
        sa.Index("ix_report_reported_id", "reported_id"),
        sa.Index("ix_report_post_id", "post_id"),
        sa.Index("ix_report_reporter_id", "reporter_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    reporter_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    # The account reported, or the author of the post reported.
    reported_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    post_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("post.id", ondelete="CASCADE"))
    reason: so.Mapped[str] = so.mapped_column(sa.String(16))
    comment: so.Mapped[Optional[str]] = so.mapped_column(sa.String(500))
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=ReportStatus.OPEN)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    resolved_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    resolved_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    reporter: so.Mapped[Optional["User"]] = so.relationship(foreign_keys=[reporter_id])
    reported: so.Mapped["User"] = so.relationship(foreign_keys=[reported_id])
    post: so.Mapped[Optional["Post"]] = so.relationship(foreign_keys=[post_id])


class AuditEntry(db.Model):
    """One moderation or administration action: who did what to whom, when and why.

    The names are copied in, so the log stays readable after an account is deleted.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (sa.Index("ix_audit_entry_timestamp", "timestamp"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    actor_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    actor_name: so.Mapped[str] = so.mapped_column(sa.String(64))
    action: so.Mapped[str] = so.mapped_column(sa.String(32))
    target_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    target_name: so.Mapped[Optional[str]] = so.mapped_column(sa.String(128))  # name@host for a remote account
    post_id: so.Mapped[Optional[int]] = so.mapped_column()  # no foreign key: the post may be gone
    report_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("report.id", ondelete="SET NULL"))
    reason: so.Mapped[Optional[str]] = so.mapped_column(sa.String(500))
    timestamp: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class RecoveryCode(db.Model):
    """One of the ten one-time codes that sign in instead of a two-factor code; stored hashed, deleted when used."""

    __tablename__ = "recovery_code"
    __table_args__ = (sa.Index("ix_recovery_code_user_id", "user_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
