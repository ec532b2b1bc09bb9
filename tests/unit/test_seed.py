"""`flask seed` builds realistic demo data, the same for the same seed."""

import sqlalchemy as sa

from app.cli.seed import RARE_WORD
from app.extensions import db
from app.models import Post, User, followers
from tests.support.apps import make_app, reset_database


def snapshot():
    users = db.session.execute(sa.select(User.username, User.email).order_by(User.id)).all()
    posts = db.session.execute(sa.select(Post.body, Post.user_id, Post.language).order_by(Post.id)).all()
    follows = db.session.execute(sa.select(followers).order_by(followers.c.follower_id, followers.c.followed_id)).all()
    return users, posts, follows


def seeded_snapshot(seed_value: int):
    app = make_app()
    with app.app_context():
        result = app.test_cli_runner().invoke(
            args=["seed", "--users", "40", "--posts", "600", "--follows", "150", "--seed", str(seed_value)]
        )
        assert result.exit_code == 0, result.output
        data = snapshot()
    reset_database(app)
    return data, result.output


def test_seed_creates_the_requested_counts(runner):
    result = runner.invoke(args=["seed", "--users", "30", "--posts", "300", "--follows", "100"])
    assert result.exit_code == 0, result.output
    assert "Created 30 users, 300 posts and 100 follows" in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 30
    assert db.session.scalar(sa.select(sa.func.count(Post.id))) == 300


def test_same_seed_gives_the_same_data():
    first, _ = seeded_snapshot(7)
    second, _ = seeded_snapshot(7)
    other, _ = seeded_snapshot(8)
    assert first == second
    assert first != other


def test_seeded_data_is_searchable_and_popularity_is_skewed(runner):
    runner.invoke(args=["seed", "--users", "50", "--posts", "2000", "--follows", "200"])
    per_author = db.session.execute(
        sa.select(Post.user_id, sa.func.count()).group_by(Post.user_id).order_by(sa.func.count().desc())
    ).all()
    assert per_author[0][1] > 5 * per_author[-1][1]
    languages = set(db.session.scalars(sa.select(Post.language).distinct()))
    assert {"en", "es", "zh"} <= languages
    posts, total = Post.search(RARE_WORD, 1, 10)
    assert 0 < total < 200 and all(RARE_WORD in post.body for post in posts)


def test_seeded_user_can_log_in(client, runner):
    runner.invoke(args=["seed", "--users", "3", "--posts", "10", "--follows", "2"])
    name = db.session.scalar(sa.select(User.username).order_by(User.id))
    response = client.post("/auth/login", data={"username": name, "password": "microblog-demo"})
    assert response.status_code == 302 and response.location == "/index"


def test_seed_twice_with_the_same_seed_is_a_clear_error(runner):
    assert runner.invoke(args=["seed", "--users", "3", "--posts", "1", "--follows", "0"]).exit_code == 0
    result = runner.invoke(args=["seed", "--users", "3", "--posts", "1", "--follows", "0"])
    assert result.exit_code != 0
    assert "pick another --seed" in result.output
