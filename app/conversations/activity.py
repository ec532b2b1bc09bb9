"""The activity page: what others did to a user's posts and account, newest first.

Likes and reposts of one post are gathered into one entry ("@a and 4 others liked your post");
every other event is an entry of its own. The page is grouped in the database, so a page costs
three queries (the count of entries, the page of groups, and the newest event of each).
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import GROUPED_KINDS, Activity, Post, User, utcnow, visibility
from app.pagination import Page, paginate


@dataclass
class Entry:
    """One line of the activity page: the newest event of its group and how many people it gathers."""

    activity: Activity
    count: int
    unread: bool

    @property
    def others(self) -> int:
        return self.count - 1


def _groups(user: User) -> sa.Select:
    own_group = sa.case((Activity.kind.in_([kind.value for kind in GROUPED_KINDS]), 0), else_=Activity.id)
    latest = sa.func.max(Activity.timestamp).label("latest")
    newest_id = sa.func.max(Activity.id).label("newest_id")
    return (
        sa.select(newest_id, sa.func.count().label("people"), latest)
        .where(Activity.user_id == user.id, visibility.visible_actors(user))
        .group_by(Activity.kind, Activity.post_id, own_group)
        .order_by(latest.desc(), newest_id.desc())
    )


def activity_page(user: User, page: int, per_page: int, read_until: datetime | None) -> Page:
    """Return page `page` of `user`'s activity entries; those newer than `read_until` are unread."""

    def fetch(query: sa.Select, limit: int, offset: int) -> list[Entry]:
        groups = db.session.execute(query.limit(limit).offset(offset)).all()
        if not groups:
            return []
        events = db.session.scalars(
            sa.select(Activity)
            .where(Activity.id.in_([group.newest_id for group in groups]))
            .options(
                so.joinedload(Activity.actor),
                so.joinedload(Activity.post).options(*Post.card_options()),
            )
        ).unique()
        by_id = {event.id: event for event in events}
        return [
            Entry(by_id[group.newest_id], group.people, read_until is None or group.latest > read_until)
            for group in groups
            if group.newest_id in by_id
        ]

    query = _groups(user)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    return paginate(query, page, per_page, fetch, total)


def mark_read(user: User) -> None:
    """Mark every entry read and clear the live badge, writing only when something was unread; commits."""
    if user.unread_activity_count():
        user.last_activity_read_time = utcnow()
        user.add_notification("unread_activity_count", 0)
        db.session.commit()
