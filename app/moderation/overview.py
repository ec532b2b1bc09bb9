"""The administrator overview: how big the site is, and what happened on each of the last days."""

from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import Post, Report, ReportStatus, Task, User, utcnow
from app.tasks import JobsUnavailable

# How many days the overview's chart covers, today included.
DAYS = 30


class Counts(NamedTuple):
    accounts: int
    posts: int
    open_reports: int
    # Jobs waiting on the RQ queue (with REDIS_URL), else tasks in progress; None when Redis is unreachable.
    queued_jobs: int | None


class Day(NamedTuple):
    day: date
    signups: int
    posts: int


def counts() -> Counts:
    """Return the site's figures, in one query (posts from the authors' counters) and a look at the queue."""
    local = User.domain.is_(None)  # accounts of other servers (app.federation) are not this site's
    figures = (
        sa.select(sa.func.count(User.id)).where(local),
        sa.select(sa.func.coalesce(sa.func.sum(User.posts_counter), 0)).where(local),
        sa.select(sa.func.count(Report.id)).where(Report.status == ReportStatus.OPEN),
        sa.select(sa.func.count(Task.id)).where(Task.in_progress()),
    )
    accounts, posts, open_reports, tasks = db.session.execute(
        sa.select(*(figure.scalar_subquery() for figure in figures))
    ).one()
    runner = current_app.extensions["tasks"]
    try:
        queued = runner.queue_length()
    except JobsUnavailable:
        return Counts(accounts, posts, open_reports, None)
    return Counts(accounts, posts, open_reports, tasks if queued is None else queued)


def daily_activity(days: int = DAYS, today: date | None = None) -> list[Day]:
    """Return the sign-ups and posts of each of the last `days` days (UTC), oldest first, in one query.

    Only this server's: other servers' accounts and notes kept here (app.federation) are left out.

    Each count reads a range of an indexed timestamp (user.created_at, post.timestamp) and groups
    it by `date()`, which SQLite, PostgreSQL and MariaDB all have.
    """
    today = today or utcnow().date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, time.min, tzinfo=UTC)

    def per_day(kind: str, column, *conditions) -> sa.Select:
        day = sa.func.date(column)
        return (
            sa.select(sa.literal(kind).label("kind"), day.label("day"), sa.func.count().label("n"))
            .where(column >= start, *conditions)
            .group_by(day)
        )

    rows = db.session.execute(
        sa.union_all(
            per_day("signups", User.created_at, User.domain.is_(None)),
            per_day("posts", Post.timestamp, Post.user_id.is_not(None), Post.uri.is_(None)),
        )
    )
    found: dict[tuple[str, date], int] = {}
    for kind, day, n in rows:
        # SQLite answers a string, the others a date.
        found[(kind, date.fromisoformat(str(day)[:10]))] = n
    return [
        Day(day, found.get(("signups", day), 0), found.get(("posts", day), 0))
        for day in (first + timedelta(days=n) for n in range(days))
    ]
