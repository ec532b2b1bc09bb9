"""The compiled API representations say exactly what the marshmallow schemas say."""

import json

import pytest

from app import conversations, media, moderation
from app.api import schemas
from app.api.representation import compile_schema
from app.extensions import db
from app.models import Media, Message, Notification, Post, Report, Task, User
from tests.support.factories import MessageFactory, PostFactory, UserFactory
from tests.support.images import image_bytes


@pytest.fixture
def request_ctx(media_app):
    with media_app.test_request_context("/api/users"):
        yield


@pytest.fixture
def objects(request_ctx):
    """One saved object of each represented model, with every optional field set or left empty."""
    susan = UserFactory(username="susan", about_me="Hi there")
    bob = UserFactory(username="bob", about_me=None, last_seen=None)
    susan.follow(bob)
    post = PostFactory(author=susan, body="hola a todos", language="es")
    unknown_language = PostFactory(author=bob, body="hm", language=None)
    message = MessageFactory(author=susan, recipient=bob, body="hello")
    notification = bob.add_notification("unread_message_count", 3)
    task = Task(id="00000000-0000-0000-0000-000000000001", name="export_posts", description="Exporting", user=susan)
    failed = Task(id="00000000-0000-0000-0000-000000000002", name="export_posts", user=bob, failed=True, error="x")
    db.session.add_all([task, failed])
    db.session.commit()
    reply = conversations.publish(bob, "@susan #Hola back https://example.com", "es", in_reply_to=post)
    photos = [media.store(bob, image_bytes(kind), f"A {kind} square") for kind in ("PNG", "JPEG")]
    illustrated = conversations.publish(bob, "two squares", "en", media_ids=[photo.id for photo in photos])
    db.session.commit()
    reposted = conversations.repost(bob, post)
    repost = db.session.scalar(db.select(Post).where(Post.repost_of_id == reposted.id))
    conversations.like(susan, reply)
    conversations.annotate([reply, repost, illustrated], susan)
    assert len(illustrated.images) == 2
    entries = conversations.activity_page(susan, 1, 10, None).items
    reports = [moderation.report_post(bob, post, "spam", "ads"), moderation.report_account(susan, bob, "other")]
    db.session.commit()
    return [
        *(susan, bob, post, unknown_language, message, notification, task, failed, reply, repost, illustrated),
        *photos,
        *entries,
        *reports,
    ]


def test_every_represented_model_has_a_schema():
    assert set(schemas.REPRESENTATIONS) == {User, Post, Media, Message, Notification, Task, Report, conversations.Entry}


def test_compiled_dumps_equal_marshmallow_dumps(objects):
    for obj in objects:
        schema = schemas.REPRESENTATIONS[type(obj)]
        compiled = compile_schema(schema)(obj)
        assert compiled == schema.dump(obj), type(obj).__name__
        json.dumps(compiled)  # and it is JSON as it is


def test_a_user_with_email_equals_the_full_schema(objects):
    susan = objects[0]
    with_email = schemas.User()
    assert susan.to_dict(include_email=True) == with_email.dump(susan)
    assert "email" not in susan.to_dict()


def test_a_post_page_in_the_api_shape(objects):
    data = Post.to_collection_dict(Post.newest_first(), 1, 1, "api.get_explore")
    assert data["items"] == [schemas.Post().dump(db.session.get(Post, data["items"][0]["id"]))]
    assert data["_meta"] == {
        "page": 1,
        "per_page": 1,
        "total_pages": 5,
        "total_items": 5,
    }  # a reply, a repost, one with images
    assert data["_links"]["next"] == "/api/explore?page=2&per_page=1"
