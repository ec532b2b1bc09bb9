"""A thread's replies on every database: at any depth, oldest first, paged, as the reader may see them."""

from datetime import timedelta

from app import conversations
from app.extensions import db
from app.models import Mute, Post
from tests.support.factories import UserFactory


def publish(author, body: str, parent: Post | None = None) -> Post:
    post = conversations.publish(author, body, "en", in_reply_to=parent)
    db.session.commit()
    return post


def test_the_replies_below_a_post_page_by_time_without_those_the_reader_does_not_see(each_database_app):
    """A hidden reply takes no place on a page; its replies and a tombstone keep theirs."""
    susan, john, ann = UserFactory(username="susan"), UserFactory(username="john"), UserFactory(username="ann")
    root = publish(susan, "root")
    first = publish(john, "first", root)
    hidden = publish(ann, "hidden", first)
    below_hidden = publish(john, "below hidden", hidden)
    gone = publish(john, "gone", root)
    below_gone = publish(susan, "below gone", gone)
    early = publish(john, "early", root)
    early.timestamp = root.timestamp - timedelta(minutes=1)  # older than every other reply, though posted last
    conversations.delete(gone)
    db.session.add(Mute(muter_id=susan.id, muted_id=ann.id))
    db.session.commit()
    db.session.expire_all()
    root = db.session.get(Post, root.id)

    replies = conversations.descendants(root, susan)
    pages = [[p.id for p in db.session.scalars(replies.limit(2).offset(n)).unique()] for n in (0, 2, 4)]
    assert pages == [[early.id, first.id], [below_hidden.id, gone.id], [below_gone.id]]
    everyone = [p.id for p in db.session.scalars(conversations.descendants(root)).unique()]
    assert everyone == [early.id, first.id, hidden.id, below_hidden.id, gone.id, below_gone.id]
