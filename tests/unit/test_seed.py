"""`flask seed` builds realistic demo data, the same for the same seed, with conversations in it.

`check_seeded_data` is the one check of a seeded database's consistency; tests/integration/test_seed.py
runs it on PostgreSQL and MariaDB.
"""

from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from app import media
from app.cli.seed import RARE_WORD
from app.conversations.markup import canonical_tag, find_mentions, find_tags
from app.extensions import db
from app.models import (
    Activity,
    ActivityKind,
    Block,
    Like,
    Media,
    Mention,
    Mute,
    Post,
    PostTag,
    User,
    followers,
    utcnow,
)
from app.search.text import normalize_text
from tests.support.apps import count_rows, make_app, reset_database

SMALL = ["--users", "40", "--posts", "600", "--follows", "150"]


def snapshot():
    users = db.session.execute(sa.select(User.username, User.email).order_by(User.id)).all()
    posts = db.session.execute(
        sa.select(Post.body, Post.user_id, Post.language, Post.in_reply_to_id, Post.repost_of_id).order_by(Post.id)
    ).all()
    follows = db.session.execute(sa.select(followers).order_by(followers.c.follower_id, followers.c.followed_id)).all()
    likes = db.session.execute(sa.select(Like.user_id, Like.post_id).order_by(Like.user_id, Like.post_id)).all()
    tags = db.session.execute(sa.select(PostTag.post_id, PostTag.tag).order_by(PostTag.post_id, PostTag.tag)).all()
    activity = db.session.execute(
        sa.select(Activity.user_id, Activity.actor_id, Activity.kind, Activity.post_id).order_by(Activity.id)
    ).all()
    return users, posts, follows, likes, tags, activity


def seeded_snapshot(seed_value: int, *options: str):
    app = make_app()
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["seed", *SMALL, "--seed", str(seed_value), *options])
        assert result.exit_code == 0, result.output
        data = snapshot()
    reset_database(app)
    return data, result.output


def fresh_counts(column: sa.ColumnElement, key: sa.ColumnElement) -> dict[int, int]:
    """Return {key: number of rows} of a GROUP BY, counted now."""
    return dict(db.session.execute(sa.select(key, sa.func.count(column)).group_by(key)).all())


def check_seeded_data() -> None:
    """Assert that a seeded database holds together: counters, replies, reactions, tags, mentions, activity."""
    posts = {post.id: post for post in db.session.scalars(sa.select(Post).options(so.undefer(Post.search_text)))}
    users = {user.id: user for user in db.session.scalars(sa.select(User))}
    assert posts and all(post.user_id is not None for post in posts.values())

    # Every counter equals a fresh count.
    replies = fresh_counts(Post.id, Post.in_reply_to_id)
    reposts = fresh_counts(Post.id, Post.repost_of_id)
    likes = fresh_counts(Like.user_id, Like.post_id)
    for post in posts.values():
        assert (post.replies_count, post.likes_count, post.reposts_count) == (
            replies.get(post.id, 0),
            likes.get(post.id, 0),
            reposts.get(post.id, 0),
        ), post.id
    written = fresh_counts(Post.id, Post.user_id)
    follower_counts = fresh_counts(followers.c.follower_id, followers.c.followed_id)
    following_counts = fresh_counts(followers.c.followed_id, followers.c.follower_id)
    for user in users.values():
        assert user.posts_counter == written.get(user.id, 0), user.username
        assert user.followers_counter == follower_counts.get(user.id, 0), user.username
        assert user.following_counter == following_counts.get(user.id, 0), user.username

    mentions: dict[int, set[int]] = {}
    for post_id, user_id, name in db.session.execute(sa.select(Mention.post_id, Mention.user_id, Mention.name)):
        assert users[user_id].username_lower == name
        mentions.setdefault(post_id, set()).add(user_id)
    tags: dict[int, set[str]] = {}
    for post_id, tag, timestamp in db.session.execute(sa.select(PostTag.post_id, PostTag.tag, PostTag.timestamp)):
        assert tag == canonical_tag(tag)
        assert timestamp == posts[post_id].timestamp
        tags.setdefault(post_id, set()).add(tag)
    by_name = {user.username_lower: user.id for user in users.values()}
    for post in posts.values():
        assert post.search_text == normalize_text(post.body)
        assert len(post.body) <= 140
        # Tags and mentions are exactly what the app's parser finds in the body.
        assert tags.get(post.id, set()) == set(find_tags(post.body)), post.body
        named = {by_name[name] for name in find_mentions(post.body) if name in by_name}
        assert mentions.get(post.id, set()) == named, post.body
        if post.in_reply_to_id is not None:
            parent = posts[post.in_reply_to_id]
            assert parent.id < post.id and parent.timestamp < post.timestamp
            assert parent.repost_of_id is None
            assert post.body.startswith(f"@{users[parent.user_id].username} ")
            assert parent.user_id in mentions[post.id]
        if post.repost_of_id is not None:
            original = posts[post.repost_of_id]
            assert post.body == "" and post.in_reply_to_id is None and post.language is None
            assert original.repost_of_id is None and original.timestamp < post.timestamp
            assert original.user_id != post.user_id

    # One like per person per post, never of one's own post, after the post; likewise reposts.
    like_rows = db.session.execute(sa.select(Like.user_id, Like.post_id, Like.timestamp)).all()
    assert len({(user_id, post_id) for user_id, post_id, _ in like_rows}) == len(like_rows)
    for user_id, post_id, timestamp in like_rows:
        post = posts[post_id]
        assert post.repost_of_id is None and post.user_id != user_id and post.timestamp < timestamp
    repost_pairs = [(post.user_id, post.repost_of_id) for post in posts.values() if post.repost_of_id is not None]
    assert len(set(repost_pairs)) == len(repost_pairs)
    latest = max(post.timestamp for post in posts.values())
    assert latest <= utcnow()

    # The activity the app would have written for these posts, likes, reposts and follows, and no other.
    expected = []
    for post in posts.values():
        parent = posts.get(post.in_reply_to_id)
        told = {post.user_id}
        if parent is not None and parent.user_id not in told:
            expected.append((parent.user_id, post.user_id, ActivityKind.REPLY, post.id, post.timestamp))
        if parent is not None:
            told.add(parent.user_id)
        for user_id in mentions.get(post.id, set()) - told:
            expected.append((user_id, post.user_id, ActivityKind.MENTION, post.id, post.timestamp))
        if post.repost_of_id is not None:
            original = posts[post.repost_of_id]
            expected.append((original.user_id, post.user_id, ActivityKind.REPOST, original.id, post.timestamp))
    for user_id, post_id, timestamp in like_rows:
        expected.append((posts[post_id].user_id, user_id, ActivityKind.LIKE, post_id, timestamp))
    follow_rows = db.session.execute(sa.select(followers.c.follower_id, followers.c.followed_id)).all()
    events = db.session.execute(
        sa.select(Activity.user_id, Activity.actor_id, Activity.kind, Activity.post_id, Activity.timestamp)
    ).all()
    assert sorted(tuple(event) for event in events if event.kind != ActivityKind.FOLLOW) == sorted(expected)
    follow_events = sorted((event.actor_id, event.user_id) for event in events if event.kind == ActivityKind.FOLLOW)
    assert follow_events == sorted(tuple(row) for row in follow_rows)
    assert all(event.post_id is None and event.timestamp <= utcnow() for event in events if event.kind == "follow")
    assert all(event.user_id != event.actor_id for event in events)


def test_seed_creates_the_requested_counts(runner):
    options = ["--replies", "50", "--likes", "400", "--reposts", "20"]
    result = runner.invoke(args=["seed", "--users", "30", "--posts", "300", "--follows", "100", *options])
    assert result.exit_code == 0, result.output
    assert "Created 30 users, 300 posts (50 replies, " in result.output
    assert "400 likes, 20 reposts and 100 follows" in result.output
    assert count_rows(User) == 30
    assert db.session.scalar(sa.select(sa.func.count()).where(Post.repost_of_id.is_(None))) == 300
    assert db.session.scalar(sa.select(sa.func.count()).where(Post.repost_of_id.is_not(None))) == 20
    assert db.session.scalar(sa.select(sa.func.count()).where(Post.in_reply_to_id.is_not(None))) == 50
    assert count_rows(Like) == 400
    check_seeded_data()


def test_conversation_counts_default_to_shares_of_the_posts(runner):
    result = runner.invoke(args=["seed", "--users", "50", "--posts", "1000", "--follows", "300"])
    assert result.exit_code == 0, result.output
    assert "1000 posts (200 replies, " in result.output and "1000 likes, 50 reposts" in result.output
    assert count_rows(Post) == 1050 and count_rows(Like) == 1000
    check_seeded_data()


def test_conversations_can_be_left_out(runner):
    result = runner.invoke(args=["seed", *SMALL, "--replies", "0", "--likes", "0", "--reposts", "0"])
    assert result.exit_code == 0, result.output
    assert count_rows(Post) == 600 and count_rows(Like) == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(Post.in_reply_to_id.is_not(None))) == 0
    kinds = set(db.session.scalars(sa.select(Activity.kind).distinct()))
    assert kinds <= {ActivityKind.FOLLOW, ActivityKind.MENTION}
    check_seeded_data()


def test_negative_or_impossible_counts_are_refused(runner):
    assert runner.invoke(args=["seed", "--likes", "-1"]).exit_code != 0
    result = runner.invoke(args=["seed", "--users", "3", "--posts", "5", "--replies", "5"])
    assert result.exit_code != 0 and "--replies" in result.output
    assert count_rows(User) == 0


def test_same_seed_gives_the_same_data():
    first, _ = seeded_snapshot(7)
    second, _ = seeded_snapshot(7)
    other, _ = seeded_snapshot(8)
    assert first == second
    assert first != other


def test_conversation_options_leave_users_authors_and_follows_as_they_are():
    """Users, posts and follows come from their own random stream: a benchmark with and without
    conversations compares the same users and timelines."""
    (users, posts, follows, *_), _ = seeded_snapshot(7)
    (bare_users, bare_posts, bare_follows, *_), _ = seeded_snapshot(
        7, "--replies", "0", "--likes", "0", "--reposts", "0"
    )
    assert users == bare_users and follows == bare_follows
    authored = [(user_id, language) for _, user_id, language, _, repost_of in posts if repost_of is None]
    assert authored == [(user_id, language) for _, user_id, language, _, _ in bare_posts]


def test_seeded_conversations_look_real(runner):
    runner.invoke(args=["seed", "--users", "50", "--posts", "3000", "--follows", "300"])
    # Hashtags: a small vocabulary, a few tags used much more than the rest, some in the last day.
    uses = db.session.execute(
        sa.select(PostTag.tag, sa.func.count()).group_by(PostTag.tag).order_by(sa.func.count().desc())
    ).all()
    assert 5 <= len(uses) <= 40 and uses[0][1] > 5 * uses[-1][1]
    recent = sa.select(sa.func.count()).where(PostTag.timestamp >= utcnow() - timedelta(hours=24))
    assert db.session.scalar(recent) > 0
    # Replies form threads; a few posts gather many likes.
    assert db.session.scalar(
        sa.select(sa.func.count()).where(
            Post.in_reply_to_id.in_(sa.select(Post.id).where(Post.in_reply_to_id.is_not(None)))
        )
    )
    counts = sorted(db.session.scalars(sa.select(Post.likes_count).where(Post.repost_of_id.is_(None))), reverse=True)
    assert counts[0] > 10 * (sum(counts) / len(counts))
    assert {kind for kind in db.session.scalars(sa.select(Activity.kind).distinct())} == set(ActivityKind)


def test_seeded_data_is_searchable_and_popularity_is_skewed(runner):
    runner.invoke(args=["seed", "--users", "50", "--posts", "2000", "--follows", "200"])
    per_author = db.session.execute(
        sa.select(Post.user_id, sa.func.count())
        .where(Post.repost_of_id.is_(None))
        .group_by(Post.user_id)
        .order_by(sa.func.count().desc())
    ).all()
    assert per_author[0][1] > 5 * per_author[-1][1]
    languages = set(db.session.scalars(sa.select(Post.language).distinct()))
    assert {"en", "es", "zh"} <= languages
    posts, total = Post.search(RARE_WORD, 1, 10)
    assert 0 < total < 200 and all(RARE_WORD in post.body for post in posts)


def test_seeding_twice_with_other_seeds_keeps_every_counter_right(runner):
    for seed_value in ("1", "2"):
        result = runner.invoke(
            args=["seed", "--users", "20", "--posts", "300", "--follows", "60", "--seed", seed_value]
        )
        assert result.exit_code == 0, result.output
    assert count_rows(User) == 40
    check_seeded_data()


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


def test_seed_adds_blocks_and_mutes_and_no_follow_across_a_block(runner):
    args = ["seed", "--users", "40", "--posts", "300", "--follows", "400", "--blocks", "30", "--mutes", "20"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "(30 blocks, 20 mutes)" in result.output
    assert count_rows(Block) == 30 and count_rows(Mute) == 20
    assert db.session.scalar(sa.select(sa.func.count()).where(Block.blocker_id == Block.blocked_id)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(Mute.muter_id == Mute.muted_id)) == 0
    across = (
        sa.select(sa.func.count())
        .select_from(followers)
        .join(
            Block,
            sa.or_(
                sa.and_(Block.blocker_id == followers.c.follower_id, Block.blocked_id == followers.c.followed_id),
                sa.and_(Block.blocked_id == followers.c.follower_id, Block.blocker_id == followers.c.followed_id),
            ),
        )
    )
    assert db.session.scalar(across) == 0
    check_seeded_data()  # the follow counters and activity match the follows that are left


def test_seed_stores_each_reposts_original_author(runner):
    result = runner.invoke(args=["seed", "--users", "20", "--posts", "200", "--follows", "50", "--reposts", "15"])
    assert result.exit_code == 0, result.output
    original = so.aliased(Post)
    rows = db.session.execute(
        sa.select(Post.repost_of_user_id, original.user_id).join(original, original.id == Post.repost_of_id)
    ).all()
    assert len(rows) == 15 and all(copied == author for copied, author in rows)


def test_blocks_and_mutes_default_to_none_and_change_nothing_else():
    assert seeded_snapshot(3)[0] == seeded_snapshot(3, "--mutes", "25")[0]
    assert count_rows_after(3, "--blocks", "0") == (0, 0)


def count_rows_after(seed_value: int, *options: str) -> tuple[int, int]:
    app = make_app()
    try:
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["seed", *SMALL, "--seed", str(seed_value), *options])
            assert result.exit_code == 0, result.output
            return count_rows(Block), count_rows(Mute)
    finally:
        reset_database(app)


def test_seed_gives_posts_images_that_are_served(media_app, uploads):
    args = ["seed", "--users", "10", "--posts", "100", "--follows", "20", "--media", "12"]
    result = media_app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    images = list(db.session.scalars(sa.select(Media).order_by(Media.post_id, Media.position)))
    assert f", {len(images)} images in" in result.output
    carrying = {image.post_id for image in images}
    assert len(carrying) == 12 and 12 <= len(images) <= 48
    for post_id in carrying:
        post = db.session.get(Post, post_id)
        positions = [image.position for image in images if image.post_id == post_id]
        assert post.in_reply_to_id is None and post.repost_of_id is None
        assert post.media_count == len(positions) and positions == list(range(len(positions)))
        assert all(image.user_id == post.user_id and image.alt_text for image in images if image.post_id == post_id)
    assert db.session.scalar(sa.select(sa.func.sum(Post.media_count))) == len(images)
    assert {path.name for path in uploads.iterdir()} == {name for image in images for name in image.file_names}
    with media_app.test_request_context():
        preview = media_app.test_client().get(media.url(images[0]))
    assert preview.status_code == 200 and preview.mimetype == images[0].content_type
    assert len(preview.data) == images[0].preview_size
    preview.close()


def _top(column: sa.ColumnElement, count: int = 10) -> set[int]:
    """The `count` users with the most rows of `column` (follows received or posts written)."""
    query = sa.select(column).group_by(column).order_by(sa.func.count().desc(), column).limit(count)
    return set(db.session.scalars(query))


def test_zipf_follow_shape_makes_popularity_independent_of_writing(runner):
    result = runner.invoke(
        args=["seed", "--users", "200", "--posts", "4000", "--follows", "4000", "--follow-shape", "zipf"]
    )
    assert result.exit_code == 0, result.output
    most_followed, most_prolific = _top(followers.c.followed_id), _top(Post.user_id)
    assert len(most_followed & most_prolific) <= 3
    # Still Zipf-like: the most followed account has many times the followers of the median one.
    counts = sorted(db.session.scalars(sa.select(User.followers_counter)), reverse=True)
    assert counts[0] > 5 * max(counts[len(counts) // 2], 1)


def test_writers_follow_shape_is_the_default_and_follows_the_prolific(runner):
    runner.invoke(args=["seed", "--users", "200", "--posts", "4000", "--follows", "4000"])
    assert len(_top(followers.c.followed_id) & _top(Post.user_id)) >= 6


def test_unknown_follow_shape_is_refused(runner):
    result = runner.invoke(args=["seed", "--follow-shape", "ring"])
    assert result.exit_code != 0 and "ring" in result.output
