"""Deleting an account: nothing of the person is left, and every counter on others stays right.

Runs on SQLite here and on PostgreSQL in tests/integration/postgres/test_accounts.py.
"""

import pytest
import sqlalchemy as sa

from app import accounts, conversations
from app.extensions import db
from app.models import AuditEntry, Block, Like, Message, Mute, Post, Report, User, followers
from tests.support.factories import UserFactory

pytestmark = pytest.mark.usefixtures("request_ctx")


def publish(author: User, body: str, parent: Post | None = None) -> Post:
    post = conversations.publish(author, body, "en", in_reply_to=parent)
    db.session.commit()
    return post


@pytest.fixture
def world():
    """Susan (who leaves), with John and Ann around her: posts, replies, likes, reposts, follows, messages."""
    susan, john, ann = UserFactory(username="susan"), UserFactory(username="john"), UserFactory(username="ann")
    answered = publish(susan, "answered by others #leaving @john")
    publish(john, "an answer to susan", answered)
    lone = publish(susan, "nobody answered this")
    publish(susan, "susan answers herself", lone)
    johns = publish(john, "john's own post")
    publish(susan, "susan answers john", johns)
    publish(ann, "ann answers john too", johns)
    conversations.like(susan, johns)
    conversations.like(ann, johns)
    conversations.like(john, answered)
    conversations.repost(susan, johns)
    conversations.repost(ann, answered)
    conversations.repost(john, lone)
    for a, b in ((susan, john), (john, susan), (ann, susan), (susan, ann)):
        a.follow(b)
    susan.send_message(john, "to john")
    john.send_message(susan, "to susan")
    susan.send_message(susan, "a note to self")
    db.session.add_all(
        [
            Block(blocker_id=susan.id, blocked_id=ann.id),
            Mute(muter_id=john.id, muted_id=susan.id),
            Report(reporter_id=susan.id, reported_id=john.id, reason="spam"),
            Report(reporter_id=john.id, reported_id=susan.id, post_id=answered.id, reason="abuse"),
        ]
    )
    susan.add_notification("unread_message_count", 1)
    db.session.commit()
    return susan, john, ann


def delete(user: User, by: User | None = None) -> None:
    accounts.delete_account(db.session.get(User, user.id), by=by)
    db.session.commit()
    db.session.expire_all()


def test_no_row_anywhere_names_the_deleted_account(world):
    susan, _, _ = world
    susan_id, traces = susan.id, (susan.username, susan.email)
    delete(susan)
    for table in db.metadata.sorted_tables:
        user_columns = [c for c in table.columns if any(fk.column.table.name == "user" for fk in c.foreign_keys)]
        if table.name == "user":
            user_columns.append(table.c.id)
        for column in user_columns:
            found = db.session.execute(sa.select(sa.func.count()).where(column == susan_id)).scalar()
            assert found == 0, f"{table.name}.{column.name} still holds the account"
        for column in (c for c in table.columns if isinstance(c.type, sa.String)):
            # Others' own words may name her ("to susan"): those stay theirs.
            for trace in traces if column.name not in ("body", "search_text") else traces[1:]:
                hit = db.session.execute(sa.select(sa.func.count()).where(column.contains(trace))).scalar()
                assert hit == 0, f"{table.name}.{column.name} still holds {trace!r}"


def test_counters_on_others_match_their_rows_afterwards(world):
    delete(world[0])
    posts = Post.__table__
    for post in db.session.scalars(sa.select(Post)):
        likes = db.session.scalar(sa.select(sa.func.count()).where(Like.post_id == post.id))
        reposts = db.session.scalar(sa.select(sa.func.count()).where(posts.c.repost_of_id == post.id))
        replies = db.session.scalar(
            sa.select(sa.func.count()).where(posts.c.in_reply_to_id == post.id, posts.c.user_id.is_not(None))
        )
        assert (post.likes_count, post.reposts_count, post.replies_count) == (likes, reposts, replies), post.body
    for user in db.session.scalars(sa.select(User)):
        written = db.session.scalar(sa.select(sa.func.count()).where(posts.c.user_id == user.id))
        fans = db.session.scalar(sa.select(sa.func.count()).where(followers.c.followed_id == user.id))
        idols = db.session.scalar(sa.select(sa.func.count()).where(followers.c.follower_id == user.id))
        assert (user.posts_counter, user.followers_counter, user.following_counter) == (written, fans, idols)


def test_a_post_others_answered_stays_as_a_tombstone_and_the_rest_goes(world):
    susan, john, _ = world
    delete(susan)
    bodies = set(db.session.scalars(sa.select(Post.body).where(Post.repost_of_id.is_(None))))
    assert bodies == {"", "an answer to susan", "john's own post", "ann answers john too"}
    tombstone = db.session.scalar(sa.select(Post).where(Post.body == ""))
    answer = db.session.scalar(sa.select(Post).where(Post.body == "an answer to susan"))
    assert tombstone.is_deleted and answer.in_reply_to_id == tombstone.id
    assert conversations.ancestors(answer) == [tombstone]


def test_the_other_party_keeps_messages_from_a_deleted_account(world):
    susan, john, _ = world
    delete(susan)
    kept = db.session.execute(sa.select(Message.body, Message.sender_id, Message.recipient_id)).all()
    assert sorted(kept) == [("to john", None, john.id), ("to susan", john.id, None)]


def test_an_administrator_deleting_an_account_is_written_to_the_audit_log(world):
    susan, john, _ = world
    delete(susan, by=john)
    entry = db.session.scalar(sa.select(AuditEntry))
    assert (entry.actor_name, entry.action, entry.target_name, entry.target_id) == (
        "john",
        "delete_account",
        "susan",
        None,
    )


def test_the_search_index_forgets_the_deleted_posts(world):
    susan, _, _ = world
    delete(susan)
    found, total = Post.search("answered", 1, 10)
    assert total == 0 and found == []
