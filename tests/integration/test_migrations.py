"""The Alembic migrations build exactly the models' schema on every supported database."""

import os
import secrets
import subprocess
import sys

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import Post, User
from tests.support.apps import TestConfig
from tests.support.paths import ROOT

# Variables that would point a child process at a developer's own services.
FOREIGN_SETTINGS = ("REDIS_URL", "ELASTICSEARCH_URL", "MAIL_SERVER", "FLASK_DEBUG", "SERVER_NAME")


def flask_db(database_url: str, *args: str) -> subprocess.CompletedProcess:
    """Run `flask db ARGS` against `database_url` in a child process, as an operator would."""
    env = {key: value for key, value in os.environ.items() if key not in FOREIGN_SETTINGS}
    env.update(
        FLASK_APP="microblog.py",
        SECRET_KEY=secrets.token_hex(32),
        DATABASE_URL=database_url,
        LOG_TO_STDOUT="1",
    )
    result = subprocess.run(
        [sys.executable, "-m", "flask", "db", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"flask db {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def table_names(database_url: str) -> set[str]:
    """Return the names of the tables in the database."""
    engine = sa.create_engine(database_url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def assert_migrations_round_trip(database_url: str) -> None:
    """Upgrade an empty database, check it against the models, then downgrade to nothing."""
    assert table_names(database_url) == set()
    flask_db(database_url, "upgrade")
    assert set(db.metadata.tables) <= table_names(database_url)
    flask_db(database_url, "check")
    flask_db(database_url, "downgrade", "base")
    assert table_names(database_url) <= {"alembic_version"}


@pytest.fixture
def postgres_url(pg_scratch):
    """A fresh, empty PostgreSQL database for this test only."""
    return pg_scratch()


@pytest.fixture
def mariadb_url(mariadb_scratch):
    """A fresh, empty utf8mb4 MariaDB database for this test only."""
    return mariadb_scratch()


def test_migrations_match_models_on_sqlite(tmp_path):
    assert_migrations_round_trip(f"sqlite:///{tmp_path / 'migrations.db'}")


@pytest.mark.postgres
def test_migrations_match_models_on_postgres(postgres_url):
    assert_migrations_round_trip(postgres_url)


@pytest.mark.mariadb
def test_migrations_match_models_on_mariadb(mariadb_url):
    assert_migrations_round_trip(mariadb_url)


@pytest.mark.mariadb
def test_migrated_mariadb_keeps_emoji(mariadb_url):
    flask_db(mariadb_url, "upgrade")
    config = type("MigratedMariaDBConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": mariadb_url})
    app = create_app(config)
    username, about, body = "ëmoji_用户", "I 💙 cats 🐈‍⬛", "Hello 🌍! Ça va? 你好 🎉"
    with app.app_context():
        try:
            user = User(username=username, email="emoji@example.com", about_me=about)
            user.set_password("correct horse battery")
            db.session.add_all([user, Post(body=body, author=user, language="en")])
            db.session.commit()
            db.session.expunge_all()

            stored = db.session.scalar(sa.select(User).where(User.username == username))
            assert stored is not None
            assert stored.about_me == about
            assert db.session.scalar(sa.select(Post.body).where(Post.user_id == stored.id)) == body
        finally:
            db.session.remove()
            db.engine.dispose()


FIRST_REVISION = "8e4719212386"


def seed_first_revision(database_url: str) -> None:
    """Write a user, a follow and posts into a database at the first revision, with plain SQL."""
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            for user_id, name in ((1, "early"), (2, "bird")):
                connection.execute(
                    sa.text(
                        "INSERT INTO user (id, username, username_lower, email, password_hash) "
                        "VALUES (:id, :name, :name, :email, 'x')"
                    ),
                    {"id": user_id, "name": name, "email": f"{name}@example.com"},
                )
            connection.execute(sa.text("INSERT INTO followers (follower_id, followed_id) VALUES (1, 2)"))
            connection.execute(
                sa.text(
                    "INSERT INTO post (body, timestamp, user_id, language) VALUES (:b, '2026-01-01 10:00:00', 2, '')"
                ),
                [{"b": "canción antigua"}, {"b": "older lighthouse post"}],
            )
    finally:
        engine.dispose()


def test_upgrading_a_sqlite_database_with_data_keeps_it_and_indexes_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'existing.db'}"
    flask_db(url, "upgrade", FIRST_REVISION)
    seed_first_revision(url)
    flask_db(url, "upgrade")
    flask_db(url, "check")
    app = create_app(type("Upgraded", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        bird = db.session.scalar(User.by_username("BIRD"))
        assert bird.session_version == 0
        assert bird.created_at is None  # when an older account was made is not known
        assert bird.posts_count() == 2
        assert (bird.followers_count(), bird.following_count()) == (1, 0)
        assert [post.body for post in Post.search("cancion", 1, 10)[0]] == ["canción antigua"]
        # New posts still reach the index: rebuilding the post table kept its full-text triggers.
        db.session.add(Post(body="a fresh lighthouse", author=bird, language="en"))
        db.session.commit()
        assert Post.search("fresh", 1, 10)[1] == 1
        db.session.remove()
        db.engine.dispose()
    flask_db(url, "downgrade", FIRST_REVISION)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM post")).scalar_one() == 3
    engine.dispose()


BEFORE_VISIBILITY = "e7a3c9d05b14"


def assert_reposts_get_their_original_author(database_url: str) -> None:
    """Upgrading past the visibility revision copies each reposted post's author onto the repost row."""
    flask_db(database_url, "upgrade", BEFORE_VISIBILITY)
    users = sa.table("user", *(sa.column(name) for name in ("id", "username", "username_lower", "email")))
    posts = sa.table("post", *(sa.column(name) for name in ("id", "body", "timestamp", "user_id", "repost_of_id")))
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.insert(users),
                [
                    {"id": n, "username": f"u{n}", "username_lower": f"u{n}", "email": f"u{n}@example.com"}
                    for n in (1, 2)
                ],
            )
            when = "2026-01-01 10:00:00"
            connection.execute(
                sa.insert(posts),
                [
                    {"id": 1, "body": "original", "timestamp": when, "user_id": 2, "repost_of_id": None},
                    {"id": 2, "body": "", "timestamp": when, "user_id": 1, "repost_of_id": 1},
                ],
            )
        flask_db(database_url, "upgrade")
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT id, repost_of_user_id FROM post ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [(1, None), (2, 2)]
        flask_db(database_url, "downgrade", BEFORE_VISIBILITY)
    finally:
        engine.dispose()


def test_the_visibility_migration_backfills_reposts_on_sqlite(tmp_path):
    assert_reposts_get_their_original_author(f"sqlite:///{tmp_path / 'reposts.db'}")


def test_the_visibility_migration_backfills_reposts_on_postgres(postgres_url):
    assert_reposts_get_their_original_author(postgres_url)


def test_the_visibility_migration_backfills_reposts_on_mariadb(mariadb_url):
    assert_reposts_get_their_original_author(mariadb_url)


BEFORE_POST_ROOT = "b6d1f4a8c2e9"


def assert_replies_get_their_thread_root(database_url: str) -> None:
    """Upgrading past the post root revision gives each reply, at any depth, the first post of its thread."""
    flask_db(database_url, "upgrade", BEFORE_POST_ROOT)
    users = sa.table("user", *(sa.column(name) for name in ("id", "username", "username_lower", "email")))
    columns = ("id", "body", "timestamp", "user_id", "in_reply_to_id")
    posts = sa.table("post", *(sa.column(name) for name in columns))
    # 1 <- 2 <- 3 <- 4, 1 <- 5, and 6 on its own <- 7
    parents = {1: None, 2: 1, 3: 2, 4: 3, 5: 1, 6: None, 7: 6}
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.insert(users), {"id": 1, "username": "u", "username_lower": "u", "email": "u@x.org"})
            when = "2026-01-01 10:00:00"
            connection.execute(
                sa.insert(posts),
                [
                    {"id": n, "body": f"p{n}", "timestamp": when, "user_id": 1, "in_reply_to_id": parent}
                    for n, parent in parents.items()
                ],
            )
        flask_db(database_url, "upgrade")
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT id, root_id FROM post ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [(1, None), (2, 1), (3, 1), (4, 1), (5, 1), (6, None), (7, 6)]
        flask_db(database_url, "downgrade", BEFORE_POST_ROOT)
    finally:
        engine.dispose()


def test_the_post_root_migration_backfills_threads_on_sqlite(tmp_path):
    assert_replies_get_their_thread_root(f"sqlite:///{tmp_path / 'roots.db'}")


def test_the_post_root_migration_backfills_threads_on_postgres(postgres_url):
    assert_replies_get_their_thread_root(postgres_url)


def test_the_post_root_migration_backfills_threads_on_mariadb(mariadb_url):
    assert_replies_get_their_thread_root(mariadb_url)
