"""Replies, mentions, hashtags, likes, reposts and activity, through app.conversations and the models.

On `any_db_app`: SQLite here, PostgreSQL again in tests/integration/postgres.
"""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from cachetools import TTLCache
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app import conversations
from app.extensions import db
from app.models import Activity, Like, Mention, Post, PostTag, User
from tests.support.apps import count_rows, counting_queries
from tests.support.factories import UserFactory

pytestmark = pytest.mark.usefixtures("request_ctx")


def fresh(obj):
    """Return `obj` as the database has it now."""
    db.session.commit()
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def kinds_for(user: User) -> list[tuple[str, int, int | None]]:
    rows = db.session.execute(
        sa.select(Activity.kind, Activity.actor_id, Activity.post_id)
        .where(Activity.user_id == user.id)
        .order_by(Activity.id)
    )
    return [tuple(row) for row in rows]


def publish(author: User, body: str, parent: Post | None = None) -> Post:
    post = conversations.publish(author, body, "en", in_reply_to=parent)
    db.session.commit()
    return post


@pytest.fixture
def people():
    return UserFactory(username="susan"), UserFactory(username="john"), UserFactory(username="ann")


# Replies


def test_a_reply_points_at_its_parent_counts_and_tells_its_author(people):
    susan, john, _ = people
    post = publish(susan, "first")
    reply = publish(john, "an answer", post)
    assert fresh(reply).in_reply_to_id == post.id
    assert fresh(post).replies_count == 1
    assert kinds_for(susan) == [("reply", john.id, reply.id)]


def test_a_post_by_an_author_added_in_the_same_transaction_is_theirs():
    author = User(username="newcomer", email="newcomer@example.com")
    db.session.add(author)
    post = publish(author, "my first words")
    assert fresh(post).author.username == "newcomer"
    assert fresh(author).posts_counter == 1


def test_a_reply_to_a_repost_answers_the_reposted_post(people):
    susan, john, ann = people
    post = publish(susan, "original")
    conversations.repost(john, post)
    repost = db.session.scalar(sa.select(Post).where(Post.repost_of_id == post.id))
    reply = publish(ann, "to the original", repost)
    assert fresh(reply).in_reply_to_id == post.id


def test_the_thread_reads_ancestors_oldest_first_and_every_reply_below(people):
    susan, john, ann = people
    root = publish(susan, "root")
    middle = publish(john, "middle", root)
    leaf = publish(ann, "leaf", middle)
    sibling = publish(ann, "sibling", root)
    assert [p.id for p in conversations.ancestors(fresh(leaf))] == [root.id, middle.id]
    assert conversations.ancestors(fresh(root)) == []
    below = db.session.scalars(conversations.descendants(fresh(root))).all()
    assert [p.id for p in below] == [middle.id, leaf.id, sibling.id]
    assert [fresh(p).root_id for p in (root, middle, leaf, sibling)] == [None, root.id, root.id, root.id]
    assert [p.id for p in db.session.scalars(conversations.descendants(fresh(middle)))] == [leaf.id]


def test_a_threads_replies_are_found_by_its_first_post_and_the_walk_below_a_reply_agrees(people):
    susan, john, ann = people
    root = publish(susan, "root")
    replies = [publish(john, "first answer", root)]
    for n in range(6):  # a chain and its branches, at depths 2 to 4
        replies.append(publish(ann if n % 2 else susan, f"answer {n}", replies[n // 2]))
    by_root = db.session.scalars(conversations.descendants(fresh(root))).all()
    assert [p.id for p in by_root] == [p.id for p in replies]
    for reply in replies:
        walked = [p.id for p in db.session.scalars(conversations.descendants(fresh(reply)))]
        assert walked == [p.id for p in by_root if reply.id in _chain_ids(p)], reply.body


def _chain_ids(post: Post) -> set[int]:
    """The ids of the posts `post` answers, up to its thread's first post."""
    return {p.id for p in conversations.ancestors(fresh(post))}


def test_deleting_a_post_with_replies_leaves_a_tombstone_and_keeps_them(people):
    susan, john, ann = people
    post = publish(susan, "soon gone #gone @ann")
    reply = publish(john, "still here", post)
    conversations.like(ann, post)
    conversations.repost(ann, post)
    conversations.delete(fresh(post))
    db.session.commit()
    tombstone = fresh(post)
    assert tombstone.is_deleted and tombstone.body == "" and tombstone.likes_count == 0
    assert fresh(reply).in_reply_to_id == post.id
    assert [p.id for p in conversations.ancestors(fresh(reply))] == [post.id]
    for model in (Like, Mention, PostTag):
        assert count_rows(model) == 0, model
    assert db.session.scalar(sa.select(sa.func.count()).where(Activity.post_id == post.id)) == 0
    assert db.session.scalar(sa.select(Post).where(Post.repost_of_id == post.id)) is None
    assert fresh(susan).posts_counter == 0 and fresh(ann).posts_counter == 0
    assert post.id not in [p.id for p in db.session.scalars(Post.newest_first())]


def test_deleting_a_reply_counts_one_reply_fewer_and_leaves_no_row(people):
    susan, john, _ = people
    post = publish(susan, "question")
    reply = publish(john, "answer #tag", post)
    conversations.like(susan, reply)
    conversations.delete(fresh(reply))
    db.session.commit()
    assert db.session.get(Post, reply.id) is None
    assert fresh(post).replies_count == 0
    assert count_rows(Like) == count_rows(PostTag) == 0
    assert kinds_for(susan) == []  # the reply's activity went with it


def test_deleting_an_account_leaves_no_orphan_row(people):
    susan, john, ann = people
    post = publish(susan, "hello @john #hi")
    post_id = post.id
    publish(john, "hi back @susan", post)
    conversations.like(john, post)
    conversations.repost(john, post)
    john.follow(susan)
    susan.follow(john)
    db.session.commit()
    db.session.delete(fresh(susan))
    db.session.commit()
    susan_rows = [
        sa.select(Post).where(Post.user_id == susan.id),
        sa.select(Like).where(Like.user_id == susan.id),
        sa.select(Mention).where(Mention.user_id == susan.id),
        sa.select(Activity).where(sa.or_(Activity.user_id == susan.id, Activity.actor_id == susan.id)),
    ]
    for query in susan_rows:
        assert db.session.execute(query).first() is None, query
    # Nothing points at the deleted post either.
    assert count_rows(PostTag) == 0 and count_rows(Like) == 0
    assert db.session.scalar(sa.select(Post).where(Post.repost_of_id == post_id)) is None


# Mentions and tags


def test_mentions_are_recorded_once_and_tell_each_person_once(people):
    susan, john, ann = people
    post = publish(susan, "@John @john and @ANN, not @nobody")
    assert set(db.session.scalars(sa.select(Mention.user_id).where(Mention.post_id == post.id))) == {john.id, ann.id}
    assert kinds_for(john) == [("mention", susan.id, post.id)]
    assert kinds_for(ann) == [("mention", susan.id, post.id)]


def test_a_reply_that_names_the_author_tells_them_once(people):
    susan, john, _ = people
    post = publish(susan, "question")
    reply = publish(john, "@susan here is the answer", post)
    assert kinds_for(susan) == [("reply", john.id, reply.id)]


def test_mentioning_yourself_tells_nobody(people):
    susan, _, _ = people
    publish(susan, "note to @susan")
    assert kinds_for(susan) == []


def test_tags_are_stored_canonical_with_the_post_time(people):
    susan, _, _ = people
    post = publish(susan, "#Café and #café and #PYTHON")
    rows = db.session.execute(sa.select(PostTag.tag, PostTag.timestamp).where(PostTag.post_id == post.id)).all()
    assert sorted(tag for tag, _ in rows) == ["café", "python"]
    assert {stamp for _, stamp in rows} == {fresh(post).timestamp}
    page = conversations.tag_page("café", 1, 10)
    assert [p.id for p in page.items] == [post.id] and page.total == 1


def test_a_large_tags_total_is_kept_a_while_and_a_small_ones_is_counted_each_time(people, monkeypatch):
    susan, john, _ = people
    monkeypatch.setattr(conversations.tags, "LARGE_TAG", 3)
    monkeypatch.setattr(current_app.extensions["conversations"], "tag_totals", TTLCache(maxsize=10, ttl=60))
    for n in range(2):
        publish(susan, f"small {n} #small")
    for n in range(3):
        publish(susan, f"large {n} #large")
    assert conversations.tag_page("small", 1, 3, john).total == 2
    assert conversations.tag_page("large", 1, 3, john).total == 3
    publish(john, "one more #small")
    publish(john, "one more #large")
    assert conversations.tag_page("small", 1, 3, john).total == 3
    large = conversations.tag_page("large", 1, 3, john)
    assert large.total == 3  # as counted a moment ago
    assert large.has_next  # read from the posts themselves: a fourth is there
    assert [post.body for post in conversations.tag_page("large", 2, 3, john).items] == ["large 0 #large"]


def test_trending_tags_count_the_last_day(people):
    susan, john, _ = people
    publish(susan, "#one #two")
    publish(john, "#two")
    assert conversations.trending_tags()[:2] == (("two", 2), ("one", 1))


def test_search_finds_a_hashtag(people):
    susan, _, _ = people
    post = publish(susan, "new release #microblog today")
    found, total = Post.search("#microblog", 1, 10)
    assert [p.id for p in found] == [post.id] and total == 1


# Likes and reposts


def test_liking_twice_is_one_like_and_unliking_takes_it_back(people):
    susan, john, _ = people
    post = publish(susan, "like me")
    conversations.like(john, post)
    liked = conversations.like(john, post)
    assert liked.likes_count == 1 and liked.reader_liked
    assert kinds_for(susan) == [("like", john.id, post.id)]
    unliked = conversations.unlike(john, post)
    assert unliked.likes_count == 0 and not unliked.reader_liked
    assert conversations.unlike(john, post).likes_count == 0
    assert kinds_for(susan) == []


def test_the_database_refuses_a_second_like_or_repost(people):
    susan, john, _ = people
    post = publish(susan, "once")
    db.session.add_all([Like(user_id=john.id, post_id=post.id), Like(user_id=john.id, post_id=post.id)])
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add_all([Post(author=john, body="", repost_of=post) for _ in range(2)])
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_repost_is_a_post_of_the_reposter_counted_and_undone(people):
    susan, john, _ = people
    post = publish(susan, "share me")
    shared = conversations.repost(john, post)
    assert shared.reposts_count == 1 and shared.reader_reposted
    assert fresh(john).posts_counter == 1
    john_timeline = db.session.scalars(Post.newest_first(fresh(john).posts.select())).all()
    assert [p.repost_of_id for p in john_timeline] == [post.id]
    assert conversations.repost(john, post).reposts_count == 1
    assert conversations.unrepost(john, post).reposts_count == 0
    assert fresh(john).posts_counter == 0
    assert kinds_for(susan) == []


def test_a_tombstone_cannot_be_liked_reposted_or_answered(people):
    susan, john, _ = people
    post = publish(susan, "gone")
    publish(john, "reply", post)
    conversations.delete(fresh(post))
    db.session.commit()
    for toggle in (conversations.like, conversations.repost):
        with pytest.raises(conversations.CannotReact):
            toggle(john, fresh(post))
    with pytest.raises(conversations.CannotReply):
        conversations.publish(john, "late", "en", in_reply_to=fresh(post))


def test_annotate_reads_a_whole_page_in_one_query(people):
    susan, john, ann = people
    posts = [publish(susan, f"post {n} @ann") for n in range(5)]
    conversations.like(john, posts[1])
    conversations.repost(john, posts[3])
    db.session.expire_all()
    page = db.session.scalars(sa.select(Post).where(Post.id.in_([p.id for p in posts])).order_by(Post.id)).all()
    john = db.session.get(User, john.id)  # the signed-in reader is loaded already
    with counting_queries() as queries:
        conversations.annotate(page, john)
    assert queries.count == 1
    assert [p.reader_liked for p in page] == [False, True, False, False, False]
    assert [p.reader_reposted for p in page] == [False, False, False, True, False]
    assert page[0].mentioned == {"ann": "ann"}


def test_several_reposts_of_one_post_show_once(people):
    susan, john, ann = people
    post = publish(susan, "popular")
    conversations.repost(john, post)
    conversations.repost(ann, post)
    entries = db.session.scalars(Post.newest_first()).all()
    shown = [entry.shown.id for entry in conversations.unique_entries(entries)]
    assert shown == [post.id]


# Activity


def test_activity_groups_likes_and_reposts_of_one_post(people):
    susan, john, ann = people
    post = publish(susan, "hello")
    other = publish(susan, "another")
    conversations.like(john, post)
    conversations.like(ann, post)
    conversations.like(ann, other)
    john.follow(susan)
    db.session.commit()
    page = conversations.activity_page(fresh(susan), 1, 10, None)
    summary = [(e.activity.kind, e.activity.actor_id, e.activity.post_id, e.count) for e in page.items]
    assert summary == [
        ("follow", john.id, None, 1),
        ("like", ann.id, other.id, 1),
        ("like", ann.id, post.id, 2),
    ]
    assert page.total == 3 and all(e.unread for e in page.items)


def test_activity_groups_only_the_newest_events(people, monkeypatch):
    susan, john, ann = people
    post = publish(susan, "hello")
    start = datetime(2026, 1, 1)
    events = [("follow", ann, None), ("like", john, post.id), ("like", ann, post.id), ("follow", john, None)]
    db.session.execute(
        sa.insert(Activity),
        [
            {
                "user_id": susan.id,
                "actor_id": actor.id,
                "kind": kind,
                "post_id": post_id,
                "timestamp": start + timedelta(minutes=n),
            }
            for n, (kind, actor, post_id) in enumerate(events)
        ],
    )
    monkeypatch.setattr(conversations.activity, "RECENT_EVENTS", 2)
    page = conversations.activity_page(fresh(susan), 1, 10, None)
    summary = [(e.activity.kind, e.activity.actor_id, e.count) for e in page.items]
    assert summary == [("follow", john.id, 1), ("like", ann.id, 1)]  # john's like and ann's follow are older
    assert page.total == 2 and not page.has_next
    assert page.older_not_shown
    monkeypatch.setattr(conversations.activity, "RECENT_EVENTS", 5)  # room for one more than there are
    assert not conversations.activity_page(fresh(susan), 1, 10, None).older_not_shown


def test_reading_the_activity_marks_it_read_and_clears_the_badge(people):
    susan, john, _ = people
    post = publish(susan, "hello")
    conversations.like(john, post)
    susan = fresh(susan)
    assert susan.unread_activity_count() == 1
    assert susan.page_status().unread_activity == 1
    conversations.mark_read(susan)
    assert fresh(susan).unread_activity_count() == 0
    entries = conversations.activity_page(fresh(susan), 1, 10, fresh(susan).last_activity_read_time).items
    assert [e.unread for e in entries] == [False]


def test_the_unread_count_stops_at_the_badge_cap(people):
    susan, john, _ = people
    db.session.execute(sa.insert(Activity), [{"user_id": susan.id, "actor_id": john.id, "kind": "follow"}] * 120)
    db.session.commit()
    assert fresh(susan).unread_activity_count() == 100
