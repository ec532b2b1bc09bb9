"""The activity page: what others did to a user's posts and account, newest first.

Likes and reposts of one post are gathered into one entry ("@a and 4 others liked your post");
every other event is an entry of its own. The page is grouped in the database, in one query.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import GROUPED_KINDS, Activity, Post, User, utcnow, visibility
from app.pagination import Page


@dataclass
class Entry:
    """One line of the activity page: the newest event of its group and how many people it gathers."""

    activity: Activity
    count: int
    unread: bool

    @property
    def others(self) -> int:
        return self.count - 1


@dataclass
class ActivityPage(Page):
    """A page of entries; on the last, `older_not_shown` when the user has more than the `window` events grouped."""

    older_not_shown: bool = False
    window: int = 0


# The page groups a user's newest events only. Grouping the whole history made every page of the
# most followed account (184,161 events) cost 0.3-0.7 s on PostgreSQL. Its newest 5,000 make 3,091
# entries (124 pages), and grouping them costs about 20 ms.
RECENT_EVENTS = 5_000


def _groups(user: User) -> sa.Select:
    recent = (
        sa.select(Activity.id, Activity.kind, Activity.post_id, Activity.timestamp)
        .where(Activity.user_id == user.id, visibility.visible_actors(user))
        .order_by(Activity.timestamp.desc(), Activity.id.desc())
        .limit(RECENT_EVENTS)
        .subquery("recent")
    )
    own_group = sa.case((recent.c.kind.in_([kind.value for kind in GROUPED_KINDS]), 0), else_=recent.c.id)
    latest = sa.func.max(recent.c.timestamp).label("latest")
    newest_id = sa.func.max(recent.c.id).label("newest_id")
    return (
        sa.select(newest_id, sa.func.count().label("people"), latest)
        .group_by(recent.c.kind, recent.c.post_id, own_group)
        .order_by(latest.desc(), newest_id.desc())
    )


def activity_page(user: User, page: int, per_page: int, read_until: datetime | None) -> ActivityPage:
    """Return page `page` of `user`'s activity entries; those newer than `read_until` are unread.

    The entries group the newest RECENT_EVENTS events that `user` sees; older ones are not shown,
    and the page says so when the window is full.

    One statement reads the page's groups, the newest event of each (with its actor and post), how
    many groups there are in all and how many events they gather; only a page past the end counts
    them apart.
    """
    groups = _groups(user).add_columns(
        sa.func.count().over().label("total"), sa.func.sum(sa.func.count()).over().label("events")
    )
    groups = groups.limit(per_page).offset((page - 1) * per_page).subquery()
    query = (
        sa.select(Activity, groups.c.people, groups.c.latest, groups.c.total, groups.c.events)
        .join(groups, Activity.id == groups.c.newest_id)
        .options(so.joinedload(Activity.actor), so.joinedload(Activity.post).options(*Post.card_options()))
        .order_by(groups.c.latest.desc(), groups.c.newest_id.desc())
    )
    rows = db.session.execute(query).unique().all()
    if rows:
        total, window_full = rows[0].total, rows[0].events >= RECENT_EVENTS
    else:
        total = 0 if page == 1 else db.session.scalar(sa.select(sa.func.count()).select_from(_groups(user).subquery()))
        window_full = False
    entries = [Entry(event, people, read_until is None or latest > read_until) for event, people, latest, *_ in rows]
    has_next = page * per_page < total
    return ActivityPage(
        items=entries,
        page=page,
        per_page=per_page,
        has_next=has_next,
        total=total,
        older_not_shown=window_full and not has_next,
        window=RECENT_EVENTS,
    )


def mark_read(user: User) -> None:
    """Mark every entry read and clear the live badge, writing only when something was unread; commits."""
    if user.page_status().unread_activity:  # the figure the layout reads anyway
        user.last_activity_read_time = utcnow()
        user.add_notification("unread_activity_count", 0)
        db.session.commit()
