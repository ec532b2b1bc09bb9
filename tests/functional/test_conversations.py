"""Threads, replies, likes, reposts, hashtags and the activity page, through the site."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import conversations
from app.extensions import db
from app.models import Like, Post
from tests.support.factories import PostFactory, UserFactory
from tests.support.pages import csrf_token_from


@pytest.fixture
def john(app):
    return UserFactory(username="john")


def publish(author, body, parent=None) -> Post:
    post = conversations.publish(author, body, "en", in_reply_to=parent)
    db.session.commit()
    return post


def article(html: str, post_id: int) -> str:
    match = re.search(rf'<article[^>]* id="post-{post_id}">(.*?)</article>', html, flags=re.S)
    assert match, f"no card for post {post_id}"
    return match.group(1)


# Threads and replies


def test_a_thread_shows_ancestors_the_post_and_its_replies_in_order(logged_in, user, john):
    root = publish(john, "the root")
    post = publish(user, "the middle", root)
    first = publish(john, "first answer", post)
    second = publish(user, "second answer", first)
    html = logged_in.get(f"/post/{post.id}").text
    order = [html.index(f'id="post-{n}"') for n in (root.id, post.id, first.id, second.id)]
    assert order == sorted(order)
    assert 'id="reply"' in html
    assert "in reply to" in article(html, second.id) and "@john" in article(html, second.id)


def test_replying_from_the_thread_page(logged_in, user, john):
    post = publish(john, "what do you think?")
    response = logged_in.post(f"/post/{post.id}", data={"post": "I agree"}, follow_redirects=True)
    assert "Your reply is now live!" in response.text
    reply = db.session.scalar(sa.select(Post).where(Post.in_reply_to_id == post.id))
    assert reply.body == "I agree" and reply.author == user
    assert response.request.path == f"/post/{reply.id}"
    assert 'Reply <span class="reaction-count">1</span>' in article(logged_in.get(f"/post/{post.id}").text, post.id)


def test_an_empty_reply_shows_the_form_error(logged_in, john):
    post = publish(john, "hm")
    response = logged_in.post(f"/post/{post.id}", data={"post": "   "})
    assert response.status_code == 200
    assert 'id="reply-errors"' in response.text
    assert db.session.scalar(sa.select(sa.func.count()).where(Post.in_reply_to_id == post.id)) == 0


def test_a_reply_reaches_the_followers_timeline_with_in_reply_to(client_as, user, john):
    post = publish(john, "original")
    publish(user, "an answer", post)
    john.follow(user)
    db.session.commit()
    html = client_as("john").get("/").text
    assert "an answer" in html and "in reply to" in html


def test_a_reply_names_the_answered_author_as_now_or_says_the_post_was_deleted(client_as, user, john):
    post = publish(john, "original")
    reply = publish(user, "an answer", post)
    john.follow(user)
    db.session.commit()
    reader = client_as("john")
    assert "in reply to" in article(reader.get("/").text, reply.id)
    john.username = "johnny"  # the cached card must follow the rename
    db.session.commit()
    card = article(reader.get("/").text, reply.id)
    assert "@johnny" in card and f'href="/post/{post.id}"' in card
    conversations.delete(db.session.get(Post, post.id))
    db.session.commit()
    card = article(reader.get("/").text, reply.id)
    assert "in reply to a deleted post" in card and "@johnny" not in card


def test_a_thread_shows_what_the_reader_likes_and_reposts_on_every_card(logged_in, user, john):
    root = publish(john, "the root")
    post = publish(john, "the middle", root)
    reply = publish(john, "@susan the answer", post)
    for liked in (root, post, reply):
        conversations.like(user, liked)
    conversations.repost(user, post)
    db.session.commit()
    html = logged_in.get(f"/post/{post.id}").text
    for liked in (root, post, reply):
        assert f"/post/{liked.id}/unlike" in article(html, liked.id)
    assert f"/post/{post.id}/unrepost" in article(html, post.id)
    assert f"/post/{root.id}/unrepost" not in article(html, root.id)
    assert 'href="/user/susan"' in article(html, reply.id)  # the name it mentions, linked


def test_a_repost_opens_the_thread_of_the_reposted_post(client_as, user, john):
    root = publish(john, "the question")
    reply = publish(user, "the answer", root)
    repost = conversations.repost(john, reply)
    db.session.commit()
    html = client_as("susan").get(f"/post/{repost.id}").text
    assert f'id="post-{root.id}"' in html and f'id="post-{reply.id}"' in html
    assert html.index(f'id="post-{root.id}"') < html.index(f'id="post-{reply.id}"')


def test_a_repost_of_a_reply_shows_whom_the_reply_answers(client_as, user, john):
    ann = UserFactory(username="ann")
    post = publish(john, "original")
    reply = publish(user, "an answer", post)
    repost = conversations.repost(ann, reply)
    ann_repost = db.session.scalar(sa.select(Post).where(Post.repost_of_id == repost.id))
    UserFactory(username="reader").follow(ann)
    db.session.commit()
    card = article(client_as("reader").get("/").text, ann_repost.id)
    assert "@ann</a> reposted" in card and "an answer" in card and "in reply to" in card and "@john" in card


def test_a_deleted_post_reads_deleted_in_its_thread(logged_in, user, john):
    post = publish(user, "regrettable")
    reply = publish(john, "still here", post)
    logged_in.post(f"/post/{post.id}/delete")
    html = logged_in.get(f"/post/{reply.id}").text
    assert "This post was deleted" in html and "regrettable" not in html and "still here" in html
    assert "This post was deleted" in logged_in.get(f"/post/{post.id}").text
    assert 'id="reply"' not in logged_in.get(f"/post/{post.id}").text  # nothing to answer


def test_thread_pages_answer_404_for_unknown_posts_and_pages(logged_in):
    assert logged_in.get("/post/999").status_code == 404
    assert logged_in.get("/post/99999999999").status_code == 404
    post = PostFactory()
    assert logged_in.get(f"/post/{post.id}?page=2").status_code == 404


def test_replies_are_paginated_past_fifty(logged_in, john):
    post = publish(john, "popular question")
    for n in range(51):
        conversations.publish(john, f"answer {n}", "en", in_reply_to=post)
    db.session.commit()
    first = logged_in.get(f"/post/{post.id}").text
    assert "answer 49" in first and "answer 50" not in first and "Later replies" in first
    assert "answer 50" in logged_in.get(f"/post/{post.id}?page=2").text


def test_a_threads_pages_hold_the_replies_it_shows_at_any_depth_oldest_first(client_as, user, john):
    """Hidden replies take no place on a page; their own replies and tombstones keep theirs, in time order."""
    carol = UserFactory(username="carol")
    root = publish(john, "the question")
    start = root.timestamp
    replies = []
    for n in range(55):
        # Every third reply answers the one before it: depths mix, and only the time orders the list.
        parent = replies[-1] if n % 3 == 2 else root
        author = carol if n in (3, 20) else john
        reply = conversations.publish(author, f"answer {n:02d}", "en", in_reply_to=parent)
        reply.timestamp = start + timedelta(seconds=100 - n) if n == 54 else start + timedelta(seconds=100 + n)
        replies.append(reply)
        db.session.flush()
    db.session.commit()
    conversations.delete(replies[4])  # answered by answer 05: a tombstone stays in its place
    db.session.commit()
    susan = client_as("susan")
    susan.post("/user/carol/mute")
    pages = [susan.get(f"/post/{root.id}").text, susan.get(f"/post/{root.id}?page=2").text]
    shown = [[int(n) for n in re.findall(r'id="post-(\d+)"', page) if int(n) != root.id] for page in pages]
    visible = [reply.id for reply in sorted(replies, key=lambda r: r.timestamp) if reply.author != carol]
    assert shown == [visible[:50], visible[50:]]
    assert "This post was deleted" in pages[0] and "answer 54" in pages[0] and "answer 53" in pages[1]


# Text: links, mentions, hashtags


def test_cards_link_urls_known_mentions_and_tags_and_escape_the_rest(logged_in, user, john):
    publish(user, "hi @John and @nobody see https://example.com/x #Café <b>bold</b>")
    html = logged_in.get("/explore").text
    assert '<a href="https://example.com/x" rel="nofollow noopener ugc">https://example.com/x</a>' in html
    assert '<a href="/user/john" class="mention">@John</a>' in html
    assert "@nobody" in html and 'href="/user/nobody"' not in html
    assert '<a href="/tag/caf%C3%A9" class="hashtag">#Café</a>' in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_a_renamed_user_is_linked_under_the_new_name(logged_in, user, john):
    publish(user, "thanks @john")
    logged_in.get("/explore")  # the card is cached now
    john.username = "johnny"
    db.session.commit()
    html = logged_in.get("/explore").text
    assert "/user/johnny" in html and 'href="/user/john"' not in html


def test_the_tag_page_lists_its_posts_in_any_case(logged_in, user, john):
    publish(user, "first #Python")
    publish(john, "second #python")
    publish(john, "other #rust")
    html = logged_in.get("/tag/python").text
    assert "first #" in html or "first <a" in html
    assert "second" in html and "other" not in html and "2 posts" in html
    redirect = logged_in.get("/tag/PYTHON")
    assert redirect.status_code == 302 and redirect.location == "/tag/python"
    assert logged_in.get("/tag/123").status_code == 404
    assert logged_in.get("/tag/python?page=2").status_code == 404


def test_explore_shows_the_trending_tags(logged_in, user, john):
    publish(user, "#one #two")
    publish(john, "#two")
    html = logged_in.get("/explore").text
    assert "Trending tags today" in html
    assert html.index('href="/tag/two"') < html.index('href="/tag/one"')


# Likes and reposts


def test_like_and_unlike_without_javascript_go_back_to_the_page(logged_in, john):
    post = publish(john, "like me")
    response = logged_in.post(f"/post/{post.id}/like", data={"next": "/explore"})
    assert response.status_code == 302 and response.location == "/explore"
    card = article(logged_in.get("/explore").text, post.id)
    assert re.search(
        r'action="/post/\d+/unlike".*?aria-pressed="true">Like <span class="reaction-count">1</span>', card, re.S
    )
    logged_in.post(f"/post/{post.id}/unlike")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Like)) == 0


def test_the_toggles_answer_json_to_the_page_script(logged_in, john):
    post = publish(john, "like me")
    headers = {"Accept": "application/json"}
    assert logged_in.post(f"/post/{post.id}/like", headers=headers).get_json() == {
        "post_id": post.id,
        "liked": True,
        "reposted": False,
        "likes_count": 1,
        "reposts_count": 0,
    }
    state = logged_in.post(f"/post/{post.id}/repost", headers=headers).get_json()
    assert (state["reposted"], state["reposts_count"]) == (True, 1)
    state = logged_in.post(f"/post/{post.id}/unrepost", headers=headers).get_json()
    assert (state["reposted"], state["reposts_count"]) == (False, 0)


def test_toggles_need_the_csrf_token(csrf_enabled, client_as, john):
    post = publish(john, "protected")
    client = client_as("john")
    assert client.post(f"/post/{post.id}/like").status_code == 400
    token = csrf_token_from(client.get("/explore").text)
    assert client.post(f"/post/{post.id}/like", data={"csrf_token": token}).status_code == 302


def test_toggles_answer_404_for_missing_and_deleted_posts(logged_in, user, john):
    assert logged_in.post("/post/999/like").status_code == 404
    post = publish(john, "gone")
    publish(user, "reply", post)
    conversations.delete(db.session.get(Post, post.id))
    db.session.commit()
    assert logged_in.post(f"/post/{post.id}/repost").status_code == 404


def test_a_repost_reaches_followers_once_with_the_original_inside(client_as, user, john):
    ann = UserFactory(username="ann")
    post = publish(ann, "worth sharing")
    conversations.repost(john, post)
    conversations.repost(user, post)
    reader = UserFactory(username="reader")
    reader.follow(john)
    reader.follow(user)
    db.session.commit()
    html = client_as("reader").get("/").text
    assert html.count("worth sharing") == 1
    assert "reposted" in html and "@susan" in html  # the newest repost is the one shown


# Activity


def test_the_activity_page_lists_entries_and_marks_them_read(client_as, user, john):
    ann = UserFactory(username="ann")
    post = publish(user, "hello")
    conversations.like(john, post)
    conversations.like(ann, post)
    publish(john, "@susan look", None)
    ann.follow(user)
    db.session.commit()
    client = client_as("susan")
    home = client.get("/").text
    assert re.search(r'id="activity_count" class="badge text-bg-danger">4<', home)  # events; the page groups likes
    html = client.get("/activity").text
    assert "mentioned you" in html and "followed you" in html
    assert "@ann" in html and "and 1 other liked your post" in html
    assert html.count("activity-unread") == 3
    assert 'id="activity_count" class="badge text-bg-danger" hidden>0<' in client.get("/").text
    assert "activity-unread" not in client.get("/activity").text


def test_the_activity_page_is_paginated_and_ends(app, client_as, user):
    post = publish(user, "hello")
    for n in range(app.config["POSTS_PER_PAGE"] + 2):
        conversations.publish(UserFactory(username=f"fan{n}"), f"@susan hello number {n}", "en")
    conversations.like(UserFactory(username="liker"), post)
    db.session.commit()
    client = client_as("susan")
    first, second = client.get("/activity").text, client.get("/activity?page=2").text
    assert "liked your post" in first and "hello number 26<" in first  # the newest first
    assert first.count("mentioned you") == app.config["POSTS_PER_PAGE"] - 1
    assert second.count("mentioned you") == 3 and "hello number 0<" in second and "liked your post" not in second
    assert client.get("/activity?page=3").status_code == 404


def test_the_last_activity_page_says_when_older_events_are_not_shown(app, client_as, user, monkeypatch):
    for n in range(app.config["POSTS_PER_PAGE"] + 2):
        conversations.publish(UserFactory(username=f"fan{n}"), f"@susan hello number {n}", "en")
    db.session.commit()
    client = client_as("susan")
    note = "Older activity is not shown"
    assert note not in client.get("/activity?page=2").text  # the window holds every event
    monkeypatch.setattr(conversations.activity, "RECENT_EVENTS", app.config["POSTS_PER_PAGE"] + 1)
    first, last = client.get("/activity").text, client.get("/activity?page=2").text
    assert note not in first and note in last
    assert last.count("mentioned you") == 1


def test_the_live_badge_hears_of_new_activity(client_as, user, john):
    post = publish(user, "hello")
    conversations.like(john, post)
    events = client_as("susan").get("/notifications?since=0").get_json()
    assert {"name": "unread_activity_count", "data": 1} in [{k: e[k] for k in ("name", "data")} for e in events]
