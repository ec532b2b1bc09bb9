"""`flask seed` on PostgreSQL and MariaDB: the same data as on SQLite, consistent, with fresh planner statistics."""

import pytest
import sqlalchemy as sa

from app.cli.seed import seed
from app.extensions import db
from app.models import Post, User
from tests.support.apps import make_app, reset_database
from tests.unit.test_seed import check_seeded_data, snapshot

SIZE = {"users": 30, "posts": 600, "follows": 120}
TABLES = {"user", "post", "followers", "post_like", "post_tag", "mention", "activity"}


def seeded_on(url: str, check) -> tuple:
    """Seed SIZE at `url`, run `check()` in the app context, and return the data's snapshot."""
    app = make_app(url)
    try:
        with app.app_context():
            seed(**SIZE)
            check_seeded_data()
            check()
            data = snapshot()
            db.session.remove()
    finally:
        reset_database(app)
    return data


def the_app_writes_after_the_seeded_ids() -> None:
    """The explicit ids of the seed left the id sequences past them: the app's own inserts still work."""
    user = User(username="after_seed", username_lower="after_seed", email="after_seed@example.com")
    db.session.add(user)
    db.session.flush()
    post = Post(body="written after the seed", author=user, language="en")
    db.session.add(post)
    db.session.commit()
    assert user.id > SIZE["users"] and post.id > SIZE["posts"]
    db.session.delete(post)
    db.session.delete(user)
    db.session.commit()


@pytest.fixture(scope="module")
def sqlite_snapshot():
    return seeded_on("sqlite://", lambda: None)


@pytest.mark.postgres
def test_seed_on_postgresql_is_consistent_and_leaves_planner_statistics(pg_scratch, sqlite_snapshot):
    analyzed = set()

    def check():
        the_app_writes_after_the_seeded_ids()
        query = sa.text("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL")
        analyzed.update(db.session.scalars(query))

    assert seeded_on(pg_scratch(), check) == sqlite_snapshot
    assert analyzed >= TABLES


@pytest.mark.mariadb
def test_seed_on_mariadb_is_consistent(mariadb_scratch, sqlite_snapshot):
    assert seeded_on(mariadb_scratch(), the_app_writes_after_the_seeded_ids) == sqlite_snapshot
