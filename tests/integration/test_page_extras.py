"""A page of posts read for a reader carries their likes, reposts and mentions, on every database."""

from app import conversations
from app.extensions import db
from app.models import Post
from tests.support.apps import counting_queries
from tests.support.factories import UserFactory


def test_a_page_read_for_a_reader_needs_no_second_query_for_its_cards(each_database_app):
    susan, ann = UserFactory(username="susan"), UserFactory(username="ann")
    plain = conversations.publish(ann, "nothing to see", "en")
    naming = conversations.publish(ann, "hello @susan and @Ann.", "en")
    db.session.commit()
    conversations.like(susan, plain)
    conversations.repost(susan, naming)
    ann.username = "annie"  # mentions show the current name
    db.session.commit()

    page = Post.fetch_page(Post.newest_first(), 10, 0, reader_id=susan.id)
    with counting_queries() as queries:
        conversations.annotate(page, susan)
    assert queries.count == 0
    by_body = {post.shown.body: post.shown for post in page}
    assert (by_body["nothing to see"].reader_liked, by_body["nothing to see"].reader_reposted) == (True, False)
    assert (by_body["hello @susan and @Ann."].reader_liked, by_body["hello @susan and @Ann."].reader_reposted) == (
        False,
        True,
    )
    assert by_body["hello @susan and @Ann."].mentioned == {"susan": "susan", "ann": "annie"}
    assert by_body["nothing to see"].mentioned == {}


def test_another_reader_of_the_same_posts_gets_their_own_state(each_database_app):
    susan, ann = UserFactory(username="susan"), UserFactory(username="ann")
    post = conversations.publish(ann, "liked by one", "en")
    db.session.commit()
    conversations.like(susan, post)
    page = Post.fetch_page(Post.newest_first(), 10, 0, reader_id=susan.id)
    conversations.annotate(page, ann)  # the page was read for susan: ann's state is asked for
    assert [(p.reader_liked, p.reader_reposted) for p in page] == [(False, False)]
