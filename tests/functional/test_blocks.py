"""Blocks and mutes through the site: the profile buttons, the settings page, and every surface they hold on."""

import re

import pytest
import sqlalchemy as sa

from app import conversations
from app.extensions import db
from app.models import Activity, Block, Mute, User, utcnow
from tests.support.factories import UserFactory
from tests.support.pages import csrf_token_from


@pytest.fixture
def bob(app):
    return UserFactory(username="bob")


def post_as(user: User, body: str, **kwargs):
    post = conversations.publish(user, body, "en", **kwargs)
    db.session.commit()
    return post


def block(client, username: str):
    return client.post(f"/user/{username}/block")


def mute(client, username: str):
    return client.post(f"/user/{username}/mute")


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# The buttons and the settings page


def test_a_profile_offers_block_and_mute_but_ones_own_does_not(client_as, user, bob):
    susan = client_as("susan")
    other = susan.get("/user/bob").text
    assert 'action="/user/bob/block"' in other and 'action="/user/bob/mute"' in other
    own = susan.get("/user/susan").text
    assert "/block" not in own.replace("/settings/blocks", "") and "/mute" not in own
    assert 'href="/settings/blocks"' in own


def test_the_buttons_are_post_forms_with_csrf(csrf_enabled, client_as, user, bob):
    susan = client_as("susan")
    assert susan.get("/user/bob/block").status_code == 405
    assert susan.post("/user/bob/block").status_code == 400  # no CSRF token
    token = csrf_token_from(susan.get("/user/bob").text)
    response = susan.post("/user/bob/block", data={"csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/user/bob")
    assert db.session.get(Block, (user.id, bob.id)) is not None


def test_blocking_or_muting_yourself_or_nobody_is_refused(client_as, user):
    susan = client_as("susan")
    assert block(susan, "nobody").status_code == 404
    assert mute(susan, "nobody").status_code == 404
    page = susan.post("/user/susan/block", follow_redirects=True).text
    assert "You cannot block or mute yourself." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Block)) == 0


def test_the_settings_page_lists_blocks_and_mutes_and_undoes_them(client_as, user, bob):
    carol = UserFactory(username="carol")
    susan = client_as("susan")
    block(susan, "bob")
    mute(susan, "carol")
    page = susan.get("/settings/blocks").text
    blocked = page[page.index('id="blocked-people"') : page.index('id="muted-people"')]
    assert "bob" in blocked and "carol" not in blocked
    assert 'action="/user/carol/unmute"' in page
    assert susan.post("/user/bob/unblock", data={"next": "/settings/blocks"}).location.endswith("/settings/blocks")
    assert susan.post("/user/carol/unmute").status_code == 302
    page = susan.get("/settings/blocks").text
    assert "You block nobody." in page and "You mute nobody." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mute)) == 0
    assert carol.id  # still there


def test_the_settings_page_is_paginated(app, client_as, user):
    app.config["POSTS_PER_PAGE"] = 2
    people = [UserFactory(username=f"p{n}") for n in range(3)]
    for person in people:
        db.session.add(Block(blocker_id=user.id, blocked_id=person.id))
    db.session.commit()
    susan = client_as("susan")
    first = susan.get("/settings/blocks").text
    assert 'href="/settings/blocks?blocks_page=2&amp;mutes_page=1"' in first
    second = susan.get("/settings/blocks?blocks_page=2").text
    assert sum(f">p{n}</a>" in second for n in range(3)) == 1
    assert susan.get("/settings/blocks?blocks_page=3").status_code == 404
    assert susan.get("/settings/blocks?mutes_page=2").status_code == 404


# Blocks: follows, contact, profiles


def test_a_block_ends_follows_both_ways_and_keeps_the_counters_right(client_as, user, bob):
    user.follow(bob)
    bob.follow(user)
    db.session.commit()
    block(client_as("susan"), "bob")
    susan, bob = fresh(user), fresh(bob)
    assert not susan.is_following(bob) and not bob.is_following(susan)
    assert (susan.followers_counter, susan.following_counter) == (0, 0)
    assert (bob.followers_counter, bob.following_counter) == (0, 0)
    # A follow notice that ended with the block is gone from the activity too.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0


def test_a_blocked_person_cannot_follow_message_or_see_the_profile(client_as, user, bob):
    block(client_as("susan"), "bob")
    bob_client = client_as("bob")
    assert bob_client.post("/follow/susan").status_code == 403
    assert not fresh(bob).is_following(fresh(user))
    assert bob_client.get("/user/susan").status_code == 404
    assert bob_client.get("/user/susan/popup").status_code == 404
    assert bob_client.get("/send_message/susan").status_code == 404
    assert bob_client.post("/send_message/susan", data={"message": "hi"}).status_code == 404


def test_the_blocker_sees_the_blocked_profile_without_follow_or_message(client_as, user, bob):
    susan = client_as("susan")
    block(susan, "bob")
    page = susan.get("/user/bob").text
    assert "You block bob" in page and 'action="/user/bob/unblock"' in page
    assert 'action="/follow/bob"' not in page and "/send_message/bob" not in page
    form = susan.get("/send_message/bob").text
    assert "You cannot send messages to bob" in form and 'name="message"' not in form
    assert susan.post("/send_message/bob", data={"message": "hi"}).status_code == 403
    assert susan.post("/follow/bob").status_code == 403


def test_messages_from_someone_you_block_are_hidden(client_as, user, bob):
    bob.send_message(user, "a message from bob")
    db.session.commit()
    susan = client_as("susan")
    assert "a message from bob" in susan.get("/messages").text
    block(susan, "bob")
    assert "a message from bob" not in susan.get("/messages").text


# Timelines, threads, tags, search


def test_muted_posts_and_reposts_leave_the_timelines(client_as, user, bob):
    carol = UserFactory(username="carol")
    user.follow(bob)
    user.follow(carol)
    db.session.commit()
    original = post_as(bob, "bob speaks up")
    conversations.repost(carol, original)
    bob_repost_source = post_as(carol, "carol writes")
    conversations.repost(bob, bob_repost_source)
    susan = client_as("susan")
    assert "bob speaks up" in susan.get("/").text
    mute(susan, "bob")
    for path in ("/", "/explore"):
        page = susan.get(path).text
        assert "bob speaks up" not in page, path  # neither the post nor carol's repost of it
        assert "@bob</a> reposted" not in page, path  # nor bob's repost of carol's post
        assert "carol writes" in page, path
    assert fresh(user).is_following(fresh(bob))  # a mute leaves follows alone


def test_a_block_hides_each_ones_posts_from_the_other(client_as, user, bob):
    post_as(user, "news from susan")
    post_as(bob, "news from bob")
    block(client_as("susan"), "bob")
    assert "news from bob" not in client_as("susan").get("/explore").text
    bob_client = client_as("bob")
    assert "news from susan" not in bob_client.get("/explore").text
    assert "news from bob" in bob_client.get("/explore").text


def test_a_thread_hides_replies_of_muted_people_and_is_404_to_those_blocked(client_as, user, bob):
    carol = UserFactory(username="carol")
    root = post_as(user, "what do you think?")
    post_as(bob, "bob replies", in_reply_to=root)
    post_as(carol, "carol replies", in_reply_to=root)
    bobs = post_as(bob, "a thread by bob")
    susan = client_as("susan")
    mute(susan, "carol")
    thread = susan.get(f"/post/{root.id}").text
    assert "bob replies" in thread and "carol replies" not in thread
    assert susan.get(f"/post/{bobs.id}").status_code == 200  # a muted person's post opened on purpose shows
    block(susan, "bob")
    assert "bob replies" not in susan.get(f"/post/{root.id}").text
    bob_client = client_as("bob")
    assert bob_client.get(f"/post/{root.id}").status_code == 404
    assert bob_client.post(f"/post/{root.id}", data={"post": "let me in"}).status_code == 404
    assert bob_client.post(f"/post/{root.id}/like").status_code == 404
    assert bob_client.post(f"/post/{root.id}/repost").status_code == 404


def test_a_thread_is_404_to_the_reader_who_blocks_its_author_until_unblocked(client_as, user, bob):
    bobs = post_as(bob, "a thread by bob")
    reply = post_as(user, "susan answered before", in_reply_to=bobs)
    susan = client_as("susan")
    block(susan, "bob")
    assert susan.get(f"/post/{bobs.id}").status_code == 404
    own_reply = susan.get(f"/post/{reply.id}")
    assert own_reply.status_code == 200 and "a thread by bob" not in own_reply.text  # the chain leaves bob out
    susan.post("/user/bob/unblock")
    assert susan.get(f"/post/{bobs.id}").status_code == 200


def test_a_blocked_person_cannot_reply_even_through_a_repost(client_as, user, bob):
    carol = UserFactory(username="carol")
    root = post_as(user, "susan's thoughts")
    repost = conversations.repost(carol, root)
    block(client_as("susan"), "bob")
    carol_repost = db.session.scalar(sa.select(type(root)).where(type(root).repost_of_id == repost.id))
    assert client_as("bob").post(f"/post/{carol_repost.id}", data={"post": "sneaky"}).status_code == 404
    assert fresh(user).posts_counter == 1


def test_tags_and_search_leave_out_hidden_posts(client_as, user, bob):
    post_as(bob, "bob on #gardening and lighthouse")
    post_as(user, "susan on #gardening and lighthouse")
    susan = client_as("susan")
    assert "bob on" in susan.get("/tag/gardening").text
    assert "bob on" in susan.get("/search?q=lighthouse").text
    mute(susan, "bob")
    assert "bob on" not in susan.get("/tag/gardening").text
    assert "bob on" not in susan.get("/search?q=lighthouse").text
    assert "susan on" in susan.get("/search?q=lighthouse").text
    block(susan, "bob")
    bob_client = client_as("bob")
    assert "susan on" not in bob_client.get("/tag/gardening").text
    assert "susan on" not in bob_client.get("/search?q=lighthouse").text


# Mentions and activity


def test_a_blocked_persons_mention_stays_plain_text_with_no_activity(client_as, user, bob):
    block(client_as("susan"), "bob")
    mention = post_as(bob, "hello @susan")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity).where(Activity.user_id == user.id)) == 0
    page = client_as("bob").get(f"/post/{mention.id}").text
    assert "hello @susan" in page and 'class="mention"' not in page


def test_muted_peoples_mentions_and_likes_leave_the_activity(client_as, user, bob):
    mine = post_as(user, "a post of susan's")
    conversations.like(bob, mine)
    post_as(bob, "hey @susan look")
    susan = client_as("susan")
    assert "bob" in susan.get("/activity").text
    mute(susan, "bob")
    post_as(bob, "again @susan")
    activity = susan.get("/activity").text
    assert "/user/bob" not in activity
    # The mute is silent: bob's mention still links to susan.
    assert 'class="mention"' in client_as("bob").get("/user/bob").text


# Suspended accounts


def test_a_suspended_accounts_posts_and_profile_are_hidden_everywhere(client_as, user, bob):
    user.follow(bob)
    db.session.commit()
    root = post_as(user, "susan asks #weather lighthouse")
    post_as(bob, "bob answers #weather lighthouse", in_reply_to=root)
    bobs = post_as(bob, "bob's own thread")
    bob = fresh(bob)
    bob.suspended_at = utcnow()
    db.session.commit()
    susan = client_as("susan")
    for path in ("/", "/explore", f"/post/{root.id}", "/tag/weather", "/search?q=lighthouse", "/activity"):
        assert "bob" not in susan.get(path).text.replace("bobs", ""), path
    assert susan.get("/user/bob").status_code == 404
    assert susan.get(f"/post/{bobs.id}").status_code == 404


# The navbar's badges count only what the pages show


def badge(page: str, badge_id: str) -> str | None:
    """The number a navbar badge shows, or None when it is hidden."""
    tag = re.search(rf'<span id="{badge_id}"[^>]*>([^<]*)</span>', page).group(0)
    return None if " hidden" in tag else re.sub(r"<[^>]+>", "", tag)


def test_the_badges_leave_out_people_one_mutes_or_blocks(client_as, user, bob):
    carol = UserFactory(username="carol")
    client = client_as("susan")
    mute(client, "bob")
    block(client, "carol")
    post_as(bob, "@susan hello from a muted person")
    bob.send_message(user, "a message from a muted person is still read")
    carol.send_message(user, "a message across a block")
    db.session.commit()
    page = client.get("/index").text
    assert badge(page, "activity_count") is None
    assert badge(page, "message_count") == "1"  # a mute leaves messages alone; a block does not
