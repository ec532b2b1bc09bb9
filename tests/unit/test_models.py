"""The models of SPEC §3, on `any_db_app`: SQLite here, PostgreSQL again in tests/integration/postgres."""

import re
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone

import jwt
import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Block, Message, Mute, Notification, PaginatedAPIMixin, Post, Task, User, utcnow
from app.pagination import Cursor, Page, paginate
from tests.support.apps import counting_queries, make_app
from tests.support.factories import DEFAULT_PASSWORD, MessageFactory, PostFactory, UserFactory

pytestmark = pytest.mark.usefixtures("any_db_app")


def reloaded(obj):
    """Commit, drop the session's cache and return `obj` as read back from the database."""
    db.session.commit()
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def make_task(user, name="export_posts", **fields):
    task = Task(id=str(uuid.uuid4()), name=name, description=name, user=user, **fields)
    db.session.add(task)
    db.session.commit()
    return task


# Passwords and avatar


def test_check_password_accepts_only_the_password_that_was_set():
    user = UserFactory(password="cat and dog")
    assert user.check_password("cat and dog")
    assert not user.check_password("cat and dogs")
    assert not user.check_password("")


def test_password_is_stored_as_a_default_cost_scrypt_hash(monkeypatch):
    import werkzeug.security

    monkeypatch.setattr("app.models.user.generate_password_hash", werkzeug.security.generate_password_hash)
    user = UserFactory(password="cat and dog")
    assert "cat and dog" not in user.password_hash
    assert user.password_hash.startswith("scrypt:32768:8:1$")
    assert len(user.password_hash) <= User.password_hash.type.length


def test_check_password_is_false_for_a_user_without_password():
    user = User(username="nopass", email="nopass@example.com")
    assert not user.check_password("")
    assert not user.check_password("anything")


def test_avatar_is_the_apps_own_picture_of_the_id_not_the_email():
    user = UserFactory(username="john", email="John@Example.COM")
    url = user.avatar(128)
    assert re.fullmatch(rf"/avatar/{user.id}/[0-9a-f]{{12}}\.svg\?s=128", url), url
    user.email = "someone.else@example.com"
    assert user.avatar(128) == url
    assert user.avatar(36) == url.replace("s=128", "s=36")


def test_avatar_with_gravatar_is_the_gravatar_identicon_of_lowercased_email_md5():
    with make_app(AVATAR_PROVIDER="gravatar").app_context():
        user = User(username="john", email="John@Example.COM")
        assert user.avatar(128) == "https://www.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?d=identicon&s=128"
        assert user.avatar(36).endswith("?d=identicon&s=36")


def test_repr_shows_username():
    user = UserFactory(username="susan")
    assert "susan" in repr(user)


# Follows


def test_follow_then_unfollow_updates_both_sides():
    susan, john = UserFactory(), UserFactory()
    susan.follow(john)
    db.session.commit()
    assert susan.is_following(john)
    assert not john.is_following(susan)
    assert susan.following_count() == 1
    assert john.followers_count() == 1
    assert john.following_count() == 0
    susan.unfollow(john)
    db.session.commit()
    assert not susan.is_following(john)
    assert susan.following_count() == 0
    assert john.followers_count() == 0


def test_follow_twice_counts_once():
    susan, john = UserFactory(), UserFactory()
    susan.follow(john)
    susan.follow(john)
    db.session.commit()
    susan.follow(john)
    db.session.commit()
    assert john.followers_count() == 1
    assert susan.following_count() == 1


def test_unfollow_when_not_following_is_a_no_op():
    susan, john = UserFactory(), UserFactory()
    susan.unfollow(john)
    db.session.commit()
    assert not susan.is_following(john)
    assert john.followers_count() == 0


def test_follow_does_not_commit():
    susan, john = UserFactory(), UserFactory()
    susan.follow(john)
    db.session.rollback()
    assert not susan.is_following(john)
    assert john.followers_count() == 0


def test_unfollow_does_not_commit():
    susan, john = UserFactory(), UserFactory()
    susan.follow(john)
    db.session.commit()
    susan.unfollow(john)
    db.session.rollback()
    assert susan.is_following(john)


def test_counts_are_zero_for_a_new_user():
    user = UserFactory()
    assert (user.followers_count(), user.following_count(), user.posts_count()) == (0, 0, 0)


def test_posts_count_counts_only_own_posts():
    susan, john = UserFactory(), UserFactory()
    PostFactory.create_batch(3, author=susan)
    PostFactory(author=john)
    assert susan.posts_count() == 3
    assert john.posts_count() == 1


# Timeline


def test_following_posts_has_own_and_followed_posts_newest_first():
    susan, john, mary, david = UserFactory.create_batch(4)
    now = utcnow()
    p_susan = PostFactory(author=susan, timestamp=now - timedelta(minutes=4))
    p_john = PostFactory(author=john, timestamp=now - timedelta(minutes=1))
    p_mary = PostFactory(author=mary, timestamp=now - timedelta(minutes=3))
    PostFactory(author=david, timestamp=now - timedelta(minutes=2))
    susan.follow(john)
    susan.follow(mary)
    db.session.commit()
    assert db.session.scalars(susan.following_posts()).all() == [p_john, p_mary, p_susan]
    assert db.session.scalars(david.following_posts()).all()[0].author == david


def test_following_posts_drops_posts_of_an_unfollowed_user():
    susan, john = UserFactory(), UserFactory()
    own = PostFactory(author=susan)
    PostFactory(author=john)
    susan.follow(john)
    db.session.commit()
    assert len(db.session.scalars(susan.following_posts()).all()) == 2
    susan.unfollow(john)
    db.session.commit()
    assert db.session.scalars(susan.following_posts()).all() == [own]


def test_following_posts_lists_each_post_once_when_followed_by_many():
    susan, john, mary = UserFactory.create_batch(3)
    post = PostFactory(author=john)
    susan.follow(john)
    mary.follow(john)
    susan.follow(mary)
    db.session.commit()
    assert db.session.scalars(susan.following_posts()).all() == [post]


def test_following_posts_is_empty_for_a_user_with_nothing_to_show():
    UserFactory()  # someone else, who does post
    PostFactory()
    loner = UserFactory()
    assert db.session.scalars(loner.following_posts()).all() == []


@pytest.mark.parametrize("sparse_below", [0, 10**9], ids=["dense-shape", "sparse-shape"])
def test_fetch_page_reads_the_same_pages_as_limit_offset(any_db_app, monkeypatch, sparse_below):
    monkeypatch.setattr("app.models.user.SPARSE_TIMELINE", sparse_below)
    susan, john, mary, david = UserFactory.create_batch(4)
    same_time = utcnow() - timedelta(hours=1)
    for number in range(23):
        author = (susan, john, mary, david)[number % 4]
        # Every third post shares one timestamp, so the id must break the ties.
        stamp = same_time if number % 3 == 0 else same_time + timedelta(minutes=number)
        PostFactory(author=author, timestamp=stamp)
    susan.follow(john)
    susan.follow(mary)
    db.session.commit()
    for query in (susan.following_posts(), Post.newest_first(), Post.newest_first(john.posts.select())):
        expected = db.session.scalars(query).all()
        pages = [Post.fetch_page(query, 4, offset) for offset in range(0, len(expected) + 4, 4)]
        assert [post for page in pages for post in page] == expected
        assert all(len(page) <= 4 for page in pages) and pages[-1] == []
        assert all("author" in so.attributes.instance_dict(post) for post in pages[0])  # loaded with the page


@pytest.mark.parametrize("sparse_below", [0, 10**9], ids=["dense-shape", "sparse-shape"])
def test_pages_read_by_cursor_are_the_pages_read_by_number(any_db_app, monkeypatch, sparse_below):
    monkeypatch.setattr("app.models.user.SPARSE_TIMELINE", sparse_below)
    susan, john, mary, muted, blocker = UserFactory.create_batch(5)
    same_time = utcnow() - timedelta(hours=1)
    posts = []
    for number in range(30):
        author = (susan, john, mary, muted, blocker)[number % 5]
        # Every third post shares one timestamp, so the id must part them, across page boundaries too.
        stamp = same_time if number % 3 == 0 else same_time + timedelta(minutes=number)
        posts.append(PostFactory(author=author, timestamp=stamp))
    # John reposts one of Mary's posts (shown) and one of the muted user's (hidden, as its author).
    for original in (posts[2], posts[3]):
        db.session.add(Post(author=john, body="", repost_of=original, repost_of_user_id=original.user_id))
    for user in (john, mary, muted, blocker):
        susan.follow(user)
    db.session.add_all([Mute(muter_id=susan.id, muted_id=muted.id), Block(blocker_id=blocker.id, blocked_id=susan.id)])
    db.session.commit()
    timeline = susan.following_posts()
    expected = db.session.scalars(timeline).all()
    assert len(expected) == 19 and {post.user_id for post in expected} == {susan.id, john.id, mary.id}

    def walk(page: Page, rel: str) -> list[Page]:
        pages = [page]
        while (args := pages[-1].link_args(rel)) is not None:
            cursor = Cursor.parse(args["before"], older=True) if "before" in args else None
            cursor = Cursor.parse(args["after"], older=False) if "after" in args else cursor
            pages.append(paginate(timeline, args["page"], 4, Post.fetch_page, seek=Post.seek, cursor=cursor))
        return pages

    older = walk(paginate(timeline, 1, 4, Post.fetch_page, seek=Post.seek), "next")
    assert [post for page in older for post in page.items] == expected
    assert [page.page for page in older] == [1, 2, 3, 4, 5] and all(page.cursor for page in older[1:])
    newer = walk(older[-1], "prev")
    assert [page.items for page in newer] == [page.items for page in reversed(older)]
    assert [bool(page.cursor) for page in newer] == [True, True, True, True, False]  # page 1 is the newest posts


# Reset password tokens


def test_reset_password_token_verifies_to_its_user():
    user = UserFactory()
    token = user.get_reset_password_token()
    assert User.verify_reset_password_token(token) == user


def test_reset_password_token_is_hs256_jwt():
    user = UserFactory()
    token = user.get_reset_password_token()
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_expired_reset_password_token_is_refused():
    user = UserFactory()
    token = user.get_reset_password_token(expires_in=-1)
    assert User.verify_reset_password_token(token) is None


def test_tampered_reset_password_token_is_refused():
    user = UserFactory()
    token = user.get_reset_password_token()
    header, payload, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert User.verify_reset_password_token(f"{header}.{payload}.{flipped}") is None
    assert User.verify_reset_password_token(token[:-3]) is None


def test_reset_password_token_signed_with_another_secret_is_refused(any_db_app):
    user = UserFactory()
    genuine = jwt.decode(user.get_reset_password_token(), any_db_app.config["SECRET_KEY"], algorithms=["HS256"])
    foreign = jwt.encode(genuine, "another-deployment-secret-0123456789abcdef", algorithm="HS256")
    assert User.verify_reset_password_token(foreign) is None


def test_reset_password_token_for_another_user_id_is_refused(any_db_app):
    user = UserFactory()
    payload = jwt.decode(user.get_reset_password_token(), any_db_app.config["SECRET_KEY"], algorithms=["HS256"])
    payload["reset_password"] = user.id + 1000
    forged = jwt.encode(payload, any_db_app.config["SECRET_KEY"], algorithm="HS256")
    assert User.verify_reset_password_token(forged) is None


@pytest.mark.parametrize("token", ["", "not-a-token", "a.b.c"])
def test_garbage_reset_password_token_is_refused(token):
    UserFactory()
    assert User.verify_reset_password_token(token) is None


def test_jwt_without_reset_claim_is_refused(any_db_app):
    user = UserFactory()
    other_purpose = jwt.encode(
        {"user": user.id, "exp": int(time.time()) + 600}, any_db_app.config["SECRET_KEY"], algorithm="HS256"
    )
    assert User.verify_reset_password_token(other_purpose) is None


def test_reset_password_token_dies_when_password_changes():
    user = UserFactory()
    token = user.get_reset_password_token()
    user.set_password("a brand new password")
    db.session.commit()
    assert User.verify_reset_password_token(token) is None


def test_reset_password_token_works_once():
    user = UserFactory()
    token = user.get_reset_password_token()
    found = User.verify_reset_password_token(token)
    assert found == user
    # Using the token means setting a password, even the same one again.
    found.set_password(DEFAULT_PASSWORD)
    db.session.commit()
    assert User.verify_reset_password_token(token) is None


# Messages and notifications


def test_unread_message_count_counts_all_messages_before_first_read():
    susan, john = UserFactory(), UserFactory()
    MessageFactory.create_batch(2, author=john, recipient=susan)
    MessageFactory(author=susan, recipient=john)
    assert susan.unread_message_count() == 2
    assert john.unread_message_count() == 1


def test_unread_message_count_counts_only_messages_after_last_read():
    susan, john = UserFactory(), UserFactory()
    now = utcnow()
    MessageFactory(author=john, recipient=susan, timestamp=now - timedelta(minutes=5))
    susan.last_message_read_time = now - timedelta(minutes=1)
    MessageFactory(author=john, recipient=susan, timestamp=now)
    susan = reloaded(susan)
    assert susan.unread_message_count() == 1
    susan.last_message_read_time = now + timedelta(seconds=1)
    db.session.commit()
    assert susan.unread_message_count() == 0


def test_page_status_counts_unread_messages_activity_and_running_tasks_in_one_query():
    susan, john = UserFactory(), UserFactory()
    now = utcnow()
    MessageFactory(author=john, recipient=susan, timestamp=now - timedelta(minutes=5))
    MessageFactory.create_batch(2, author=john, recipient=susan, timestamp=now)
    MessageFactory(author=susan, recipient=john, timestamp=now)
    susan.last_message_read_time = now - timedelta(minutes=1)
    make_task(susan, "export_posts")
    make_task(susan, "export_posts", complete=True)
    make_task(susan, "export_posts", failed=True)
    make_task(john, "export_posts")
    susan = reloaded(susan)
    with counting_queries() as queries:
        status = susan.page_status()
    assert (status.unread_messages, status.tasks_running) == (2, 1)
    assert queries.count == 1
    assert UserFactory().page_status() == (0, 0, 0)


def test_add_notification_returns_the_notification():
    user = UserFactory()
    notification = user.add_notification("unread_message_count", 3)
    db.session.commit()
    assert isinstance(notification, Notification)
    assert notification.name == "unread_message_count"
    assert notification.user == user
    assert notification.get_data() == 3


def test_add_notification_replaces_earlier_one_of_same_name():
    user, other = UserFactory(), UserFactory()
    user.add_notification("unread_message_count", 1)
    user.add_notification("task_progress", {"task_id": "t", "progress": 10})
    other.add_notification("unread_message_count", 7)
    db.session.commit()
    latest = user.add_notification("unread_message_count", 2)
    db.session.commit()

    mine = db.session.scalars(user.notifications.select().order_by(Notification.name)).all()
    assert [(n.name, n.get_data()) for n in mine] == [
        ("task_progress", {"task_id": "t", "progress": 10}),
        ("unread_message_count", 2),
    ]
    assert latest in mine
    theirs = db.session.scalars(other.notifications.select()).all()
    assert [(n.name, n.get_data()) for n in theirs] == [("unread_message_count", 7)]


def test_notification_timestamp_keeps_sub_second_precision():
    user = UserFactory()
    notification = user.add_notification("unread_message_count", 0)
    notification.timestamp = 1_700_000_000.123456
    db.session.commit()
    assert reloaded(notification).timestamp == pytest.approx(1_700_000_000.123456, abs=1e-6)


def test_add_notification_timestamp_is_now_in_epoch_seconds():
    user = UserFactory()
    before = time.time()
    notification = user.add_notification("unread_message_count", 0)
    db.session.commit()
    stored = reloaded(notification).timestamp
    assert before - 1 <= stored <= time.time() + 1


# Tasks


def test_task_progress_is_its_percentage_until_complete():
    user = UserFactory()
    task = make_task(user, progress=40)
    assert reloaded(task).get_progress() == 40
    task.complete = True
    db.session.commit()
    assert reloaded(task).get_progress() == 100


def test_new_task_progress_is_zero():
    assert make_task(UserFactory()).get_progress() == 0


def test_tasks_in_progress_leave_out_complete_and_failed_tasks():
    user, other = UserFactory(), UserFactory()
    running = make_task(user, name="export_posts")
    make_task(user, name="export_posts", complete=True)
    make_task(user, name="export_posts", failed=True, error="boom")
    make_task(other, name="export_posts")
    assert user.get_tasks_in_progress() == [running]


def test_task_in_progress_finds_running_task_by_name():
    user = UserFactory()
    running = make_task(user, name="export_posts")
    assert user.get_task_in_progress("export_posts") == running
    assert user.get_task_in_progress("other_task") is None


def test_no_task_in_progress_once_it_completes_or_fails():
    user = UserFactory()
    task = make_task(user, name="export_posts")
    task.complete = True
    db.session.commit()
    assert user.get_task_in_progress("export_posts") is None
    make_task(user, name="export_posts", failed=True)
    assert user.get_task_in_progress("export_posts") is None
    assert user.get_tasks_in_progress() == []


def test_task_has_no_rq_job_without_redis():
    assert make_task(UserFactory()).get_rq_job() is None


# API tokens


def test_get_token_issues_a_32_character_token_that_checks():
    user = UserFactory()
    token = user.get_token()
    db.session.commit()
    assert len(token) == 32
    assert User.check_token(token) == user


def test_get_token_reuses_a_token_valid_for_over_a_minute():
    user = UserFactory()
    first = user.get_token()
    db.session.commit()
    user = reloaded(user)
    assert user.get_token() == first


def test_get_token_issues_a_new_token_when_the_old_one_ends_within_a_minute():
    user = UserFactory()
    first = user.get_token()
    user.token_expiration = utcnow() + timedelta(seconds=30)
    db.session.commit()
    user = reloaded(user)
    second = user.get_token()
    db.session.commit()
    assert second != first
    assert User.check_token(first) is None
    assert User.check_token(second) == user


def test_get_token_honours_expires_in():
    user = UserFactory()
    user.get_token(expires_in=120)
    user = reloaded(user)
    remaining = (user.token_expiration - utcnow()).total_seconds()
    assert 100 < remaining <= 120


def test_revoked_token_no_longer_checks():
    user = UserFactory()
    token = user.get_token()
    db.session.commit()
    user.revoke_token()
    db.session.commit()
    assert User.check_token(token) is None


def test_token_after_revoke_is_a_new_one():
    user = UserFactory()
    first = user.get_token()
    user.revoke_token()
    db.session.commit()
    assert user.get_token() != first


def test_expired_token_does_not_check():
    user = UserFactory()
    token = user.get_token()
    user.token_expiration = utcnow() - timedelta(seconds=5)
    db.session.commit()
    assert User.check_token(token) is None


@pytest.mark.parametrize("token", [None, "", "0" * 32])
def test_missing_or_unknown_token_does_not_check(token):
    UserFactory().get_token()
    db.session.commit()
    assert User.check_token(token) is None


def test_changing_password_ends_the_api_token():
    user = UserFactory()
    token = user.get_token()
    db.session.commit()
    user.set_password("another password")
    db.session.commit()
    assert User.check_token(token) is None


# API representation


def test_to_dict_leaves_out_email_by_default(request_ctx):
    user = UserFactory(username="susan", about_me="hi")
    data = user.to_dict()
    assert "email" not in data
    assert data["id"] == user.id
    assert data["username"] == "susan"
    assert data["about_me"] == "hi"


def test_to_dict_includes_email_when_asked(request_ctx):
    user = UserFactory(email="susan@example.com")
    assert user.to_dict(include_email=True)["email"] == "susan@example.com"


def test_to_dict_counts_and_links(request_ctx):
    susan, john = UserFactory(), UserFactory()
    PostFactory.create_batch(2, author=susan)
    john.follow(susan)
    db.session.commit()
    data = susan.to_dict()
    assert (data["post_count"], data["follower_count"], data["following_count"]) == (2, 1, 0)
    assert data["_links"] == {
        "self": f"/api/users/{susan.id}",
        "followers": f"/api/users/{susan.id}/followers",
        "following": f"/api/users/{susan.id}/following",
        "avatar": susan.avatar(128),
    }


def test_to_dict_last_seen_is_iso_8601_with_utc_offset(request_ctx):
    user = UserFactory()
    user.last_seen = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    user = reloaded(user)
    last_seen = user.to_dict()["last_seen"]
    assert last_seen == "2024-05-06T07:08:09+00:00"
    assert datetime.fromisoformat(last_seen).utcoffset() == timedelta(0)


def test_from_dict_sets_writable_fields_and_password_for_new_user():
    user = User()
    user.from_dict(
        {"username": "Mary", "email": "mary@example.com", "about_me": "hello", "password": "pw-123456"},
        new_user=True,
    )
    db.session.add(user)
    db.session.commit()
    assert (user.username, user.email, user.about_me) == ("Mary", "mary@example.com", "hello")
    assert user.check_password("pw-123456")


def test_from_dict_ignores_password_for_existing_user_and_absent_fields():
    user = UserFactory(username="susan", about_me="before")
    user.from_dict({"about_me": "after", "password": "hijack"})
    db.session.commit()
    assert user.about_me == "after"
    assert user.username == "susan"
    assert user.check_password(DEFAULT_PASSWORD)
    assert not user.check_password("hijack")


def test_from_dict_ignores_fields_that_are_not_writable():
    user = UserFactory()
    original_id = user.id
    user.from_dict({"id": original_id + 50, "token": "x" * 32, "password_hash": "x"})
    assert user.id == original_id
    assert user.token is None
    assert user.password_hash != "x"


# Case-insensitive uniqueness, enforced by the database


def test_username_differing_only_in_case_is_refused_by_the_database():
    UserFactory(username="susan", email="susan@example.com")
    db.session.add(User(username="Susan", email="other@example.com"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_email_differing_only_in_case_is_refused_by_the_database():
    UserFactory(username="susan", email="susan@example.com")
    db.session.add(User(username="other", email="SUSAN@Example.com"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_username_keeps_its_case_and_is_found_in_any_case():
    user = UserFactory(username="SuSan")
    assert reloaded(user).username == "SuSan"
    assert db.session.scalar(User.by_username("susan")) == user
    assert db.session.scalar(User.by_username("SUSAN")) == user


def test_unique_index_on_case_folded_username_exists_in_the_schema():
    inspector = sa.inspect(db.engine)
    unique_sets = [set(c["column_names"]) for c in inspector.get_unique_constraints("user")]
    unique_sets += [set(i["column_names"]) for i in inspector.get_indexes("user") if i["unique"]]
    assert {"username_lower"} in unique_sets
    assert {"email"} in unique_sets


# Timezone-aware timestamps


def test_timestamps_come_back_timezone_aware_in_utc():
    susan, john = UserFactory(), UserFactory()
    post = PostFactory(author=susan)
    message = MessageFactory(author=susan, recipient=john)
    susan.last_message_read_time = utcnow()
    db.session.commit()
    db.session.expire_all()
    values = [
        db.session.get(Post, post.id).timestamp,
        db.session.get(Message, message.id).timestamp,
        db.session.get(User, susan.id).last_seen,
        db.session.get(User, susan.id).last_message_read_time,
    ]
    for value in values:
        assert value.tzinfo is not None
        assert value.utcoffset() == timedelta(0)


def test_timestamp_in_another_zone_is_stored_as_the_same_instant():
    user = UserFactory()
    paris_summer = timezone(timedelta(hours=2))
    written = datetime(2024, 7, 1, 14, 30, 15, 250000, tzinfo=paris_summer)
    post = PostFactory(author=user, timestamp=written)
    stored = reloaded(post).timestamp
    assert stored == written
    assert stored.replace(tzinfo=None) == datetime(2024, 7, 1, 12, 30, 15, 250000)


def test_timestamps_order_across_naive_storage():
    user = UserFactory()
    older = PostFactory(author=user, timestamp=datetime(2024, 1, 1, 12, 0, tzinfo=UTC))
    newer = PostFactory(author=user, timestamp=datetime(2024, 1, 1, 11, 30, tzinfo=timezone(timedelta(hours=-1))))
    assert db.session.scalars(user.following_posts()).all() == [newer, older]


# Pagination


def test_to_collection_dict_first_page_has_no_prev(request_ctx):
    UserFactory.create_batch(5)
    data = PaginatedAPIMixin.to_collection_dict(sa.select(User).order_by(User.id), 1, 2, "api.get_users")
    assert len(data["items"]) == 2
    assert data["_meta"] == {"page": 1, "per_page": 2, "total_pages": 3, "total_items": 5}
    assert data["_links"] == {
        "self": "/api/users?page=1&per_page=2",
        "next": "/api/users?page=2&per_page=2",
        "prev": None,
    }


def test_to_collection_dict_last_page_has_no_next(request_ctx):
    users = UserFactory.create_batch(5)
    data = User.to_collection_dict(sa.select(User).order_by(User.id), 3, 2, "api.get_users")
    assert [item["id"] for item in data["items"]] == [users[4].id]
    assert data["_links"]["next"] is None
    assert data["_links"]["prev"] == "/api/users?page=2&per_page=2"


def test_to_collection_dict_passes_endpoint_arguments(request_ctx):
    susan, john = UserFactory(), UserFactory()
    john.follow(susan)
    db.session.commit()
    data = User.to_collection_dict(susan.followers.select(), 1, 10, "api.get_followers", id=susan.id)
    assert [item["username"] for item in data["items"]] == [john.username]
    assert data["_links"]["self"] == f"/api/users/{susan.id}/followers?page=1&per_page=10"
    assert data["_links"]["next"] is None and data["_links"]["prev"] is None


def test_to_collection_dict_of_an_empty_query(request_ctx):
    data = Post.to_collection_dict(sa.select(Post), 1, 10, "api.get_explore")
    assert data["items"] == []
    assert data["_meta"]["total_items"] == 0
    assert data["_links"]["next"] is None and data["_links"]["prev"] is None


def test_post_counter_follows_inserts_and_deletes(any_db_app):
    author = UserFactory()
    posts = [PostFactory(author=author) for _ in range(3)]
    assert author.posts_count() == 3
    db.session.delete(posts[0])
    db.session.commit()
    assert author.posts_count() == 2
    assert User.total_posts([author.id]) == 2


def test_follow_counters_follow_follows_and_unfollows(any_db_app):
    fan, star = UserFactory(), UserFactory()
    fan.follow(star)
    fan.follow(star)
    db.session.commit()
    assert (star.followers_count(), fan.following_count()) == (1, 1)
    db.session.expire_all()  # the counter columns as stored, not as held in memory
    assert (star.followers_counter, fan.following_counter) == (1, 1)
    fan.unfollow(star)
    fan.unfollow(star)
    db.session.rollback()
    assert star.followers_count() == 1
    fan.unfollow(star)
    db.session.commit()
    assert (star.followers_count(), fan.following_count()) == (0, 0)
