"""A background job started by a user."""

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from app.models.user import User


class Task(db.Model):
    """A job's record: who started it, and whether it finished or failed."""

    __table_args__ = (sa.Index("ix_task_user_id_complete", "user_id", "complete"),)

    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(128), index=True)
    description: so.Mapped[Optional[str]] = so.mapped_column(sa.String(128))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    complete: so.Mapped[bool] = so.mapped_column(default=False)
    failed: so.Mapped[bool] = so.mapped_column(default=False)
    error: so.Mapped[Optional[str]] = so.mapped_column(sa.String(255))
    progress: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # The last sign of life: a stale running task is reported as failed.
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    user: so.Mapped["User"] = so.relationship(back_populates="tasks")

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.name}>"

    @classmethod
    def in_progress(cls) -> sa.ColumnElement[bool]:
        """The condition of a task that has neither completed nor failed."""
        return sa.and_(cls.complete.is_(False), cls.failed.is_(False))

    def get_rq_job(self):
        """Return the RQ job, or None without Redis or when the job is gone (asks the app's task runner)."""
        return current_app.extensions["tasks"].fetch_job(self.id)

    def fail_if_stale(self) -> bool:
        """Mark a running task failed when it showed no sign of life for too long; return whether it did."""
        stale_after = timedelta(seconds=current_app.config["TASK_STALE_AFTER"])
        if self.complete or self.failed or utcnow() - self.updated_at < stale_after:
            return False
        self.failed = True
        self.error = "The task stopped responding."
        db.session.commit()
        log.warning("task %s (%s) of user %s went stale and is marked failed", self.id, self.name, self.user_id)
        return True

    def get_progress(self) -> int:
        """Return the progress in percent (100 once complete)."""
        return 100 if self.complete else self.progress
