"""The administrator overview's per-day figures on SQLite, PostgreSQL and MariaDB, read through indexes."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app import moderation
from app.extensions import db
from app.models import Post, User
from tests.support.apps import make_app, reset_database
from tests.support.factories import UserFactory

TODAY = date(2026, 12, 3)


def at(days_ago: int, hour: int) -> datetime:
    return datetime(TODAY.year, TODAY.month, TODAY.day, hour, 30, tzinfo=UTC) - timedelta(days=days_ago)


@pytest.fixture
def overview_app(each_database_url):
    """An app on each database, with sign-ups and posts spread over the last 40 days."""
    app = make_app(each_database_url)
    with app.app_context():
        old = UserFactory(username="old")
        # Made before created_at existed.
        db.session.execute(sa.update(User).where(User.id == old.id).values(created_at=None))
        early = UserFactory(username="early", created_at=at(35, 12))  # outside the 30 days
        late = UserFactory(username="late", created_at=at(0, 23))  # just before midnight UTC
        UserFactory(username="morning", created_at=at(0, 0))
        UserFactory(username="lastday", created_at=at(29, 1))
        for author, when in [(old, at(0, 1)), (early, at(0, 22)), (late, at(29, 0)), (late, at(31, 5))]:
            db.session.add(Post(body="hello", author=author, timestamp=when, language="en"))
        db.session.add(Post(body="", author=None, timestamp=at(0, 2)))  # a tombstone: not counted
        db.session.commit()
        yield app
    reset_database(app)


def test_daily_activity_groups_by_utc_day_on_every_database(overview_app):
    days = moderation.daily_activity(today=TODAY)
    assert len(days) == moderation.DAYS and days[0].day == TODAY - timedelta(days=29) and days[-1].day == TODAY
    busy = {day.day: (day.signups, day.posts) for day in days if day.signups or day.posts}
    assert busy == {TODAY: (2, 2), TODAY - timedelta(days=29): (1, 1)}


def test_the_per_day_counts_read_an_index_range(overview_app):
    start = at(29, 0)
    queries = [sa.select(sa.func.count()).where(column >= start) for column in (User.created_at, Post.timestamp)]
    for query in queries:
        with db.engine.connect() as connection:
            if db.engine.dialect.name == "postgresql":
                connection.execute(sa.text("SET enable_seqscan = off"))
                plan = " ".join(connection.execute(sa.text("EXPLAIN " + compiled(query))).scalars())
                assert "Index" in plan, plan
            elif db.engine.dialect.name == "mysql":
                [row] = connection.execute(sa.text("EXPLAIN " + compiled(query))).mappings()
                assert row["key"] in {"ix_user_created_at", "ix_post_timestamp_id_user_id_repost_of_user_id"}, dict(row)
            else:
                plan = " ".join(row[-1] for row in connection.execute(sa.text("EXPLAIN QUERY PLAN " + compiled(query))))
                assert "USING COVERING INDEX" in plan or "USING INDEX" in plan, plan


def compiled(query: sa.Select) -> str:
    return str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
