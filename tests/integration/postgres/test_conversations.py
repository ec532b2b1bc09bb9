"""The conversation tests of tests/unit/test_conversations.py on PostgreSQL, and counters under concurrency."""

import threading

import sqlalchemy as sa

from app import conversations
from app.extensions import db
from app.models import Like, Post, User
from tests.support.factories import PostFactory, UserFactory
from tests.unit.test_conversations import *  # noqa: F403  (every test there runs on `any_db_app`)

ROUNDS = 30


def test_counters_stay_right_under_concurrent_likes_and_unlikes(any_db_app):
    """Two people like and unlike one post at once, over and over: the counter always equals the likes."""
    post = PostFactory(body="contested")
    likers = [UserFactory().id, UserFactory().id]
    post_id = post.id
    db.session.commit()
    errors: list[BaseException] = []
    start = threading.Barrier(len(likers) * 2)

    def toggle(user_id: int, like: bool) -> None:
        try:
            with any_db_app.test_request_context():
                start.wait()
                user, target = db.session.get(User, user_id), db.session.get(Post, post_id)
                for _ in range(ROUNDS):
                    (conversations.like if like else conversations.unlike)(user, target)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001  (reported by the main thread)
            errors.append(exc)

    threads = [threading.Thread(target=toggle, args=(user_id, like)) for user_id in likers for like in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    db.session.expire_all()
    likes = db.session.scalar(sa.select(sa.func.count()).select_from(Like).where(Like.post_id == post_id))
    assert db.session.get(Post, post_id).likes_count == likes
