"""Atom feeds of a user's posts and of a hashtag, read by a real feed reader (feedparser)."""

from datetime import timedelta
from html.parser import HTMLParser

import feedparser
import pytest
from werkzeug.http import http_date

from app import conversations, media, moderation, safety
from app.accounts.deletion import delete_account
from app.extensions import db
from app.models import Media, Post, Role, utcnow
from tests.support.apps import counting_queries
from tests.support.factories import UserFactory
from tests.support.images import image_bytes


def read_feed(client, path: str):
    """Fetch a feed and parse it as a feed reader does; it must be well-formed Atom."""
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data, response_headers={"content-type": response.headers["Content-Type"]})
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def publish(author, body: str, minutes_ago: int = 0) -> Post:
    post = conversations.publish(author, body, "en")
    post.timestamp = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()
    return post


def check_entry(entry, post: Post) -> None:
    """Every field a reader shows: id, title, text, author, link to the thread, dates."""
    url = f"http://localhost/post/{post.id}"
    assert entry.id == url
    assert entry.link == url and entry.links[0].rel == "alternate"
    assert entry.title == post.body
    assert entry.content[0].value == post.body and entry.content[0].type == "text/plain"
    assert entry.author == post.author.username
    assert entry.author_detail.href == f"http://localhost/user/{post.author.username}"
    published = post.timestamp.replace(microsecond=0).timetuple()[:6]
    assert entry.published_parsed[:6] == published and entry.updated_parsed[:6] == published


@pytest.fixture
def bob(app):
    return UserFactory(username="bob")


def test_a_user_feed_lists_their_latest_posts_newest_first(client, user, bob):
    posts = [publish(user, f"post number {n}", minutes_ago=100 - n) for n in range(3)]
    reply = publish(user, "@bob a reply", minutes_ago=1)
    publish(bob, "not susan's")
    feed = read_feed(client, "/user/susan/feed.atom")
    assert feed.feed.title == "Posts by susan"
    assert feed.feed.id == "http://localhost/user/susan/feed.atom"
    assert feed.feed.link == "http://localhost/user/susan"
    expected = [reply, *reversed(posts)]
    assert len(feed.entries) == len(expected)
    for entry, post in zip(feed.entries, expected, strict=True):
        check_entry(entry, post)
    assert feed.feed.updated_parsed[:6] == reply.timestamp.timetuple()[:6]


def test_a_feed_holds_the_latest_50_posts_and_no_reposts(client, user, bob):
    db.session.add_all(
        Post(body=f"post {n}", author=user, timestamp=utcnow() - timedelta(minutes=60 - n)) for n in range(55)
    )
    db.session.commit()
    conversations.repost(user, publish(bob, "worth reposting"))
    feed = read_feed(client, "/user/susan/feed.atom")
    assert [entry.title for entry in feed.entries] == [f"post {n}" for n in range(54, 4, -1)]


def test_a_tag_feed_lists_the_tagged_posts_of_everyone(client, user, bob):
    older = publish(user, "first #Words", minutes_ago=5)
    newer = publish(bob, "second #words")
    publish(bob, "untagged")
    conversations.repost(user, newer)
    feed = read_feed(client, "/tag/words/feed.atom")
    assert feed.feed.title == "Posts tagged #words"
    assert feed.feed.link == "http://localhost/tag/words"
    assert len(feed.entries) == 2
    check_entry(feed.entries[0], newer)
    check_entry(feed.entries[1], older)


def test_a_tag_feed_with_no_posts_is_an_empty_valid_feed(client):
    assert read_feed(client, "/tag/nothing/feed.atom").entries == []


def test_a_tag_feed_answers_at_the_tags_canonical_name(client):
    response = client.get("/tag/Words/feed.atom")
    assert response.status_code == 302 and response.location == "/tag/words/feed.atom"
    assert client.get("/tag/not%20a%20tag/feed.atom").status_code == 404


def test_feeds_need_no_login_and_write_nothing(client, user):
    publish(user, "public")
    response = client.get("/user/susan/feed.atom")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_an_unchanged_feed_answers_304_to_its_etag_or_date(client, user):
    publish(user, "one", minutes_ago=10)
    first = client.get("/user/susan/feed.atom")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert "Accept-Language" in first.headers["Vary"]
    again = client.get("/user/susan/feed.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get("/user/susan/feed.atom", headers={"If-Modified-Since": modified}).status_code == 304
    earlier = http_date(utcnow() - timedelta(hours=1))
    assert client.get("/user/susan/feed.atom", headers={"If-Modified-Since": earlier}).status_code == 200
    publish(user, "two")
    changed = client.get("/user/susan/feed.atom", headers={"If-None-Match": etag, "If-Modified-Since": modified})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_tag_feed_answers_304_too(client, user):
    publish(user, "#cats")
    etag = client.get("/tag/cats/feed.atom").headers["ETag"]
    assert client.get("/tag/cats/feed.atom", headers={"If-None-Match": etag}).status_code == 304


def test_unknown_suspended_and_deleted_accounts_have_no_feed(client, user, bob):
    admin = UserFactory(username="admin", role=Role.ADMINISTRATOR)
    publish(user, "soon gone")
    publish(bob, "soon suspended")
    assert client.get("/user/nobody/feed.atom").status_code == 404
    assert client.get("/user/no%20such/feed.atom").status_code == 404
    moderation.suspend(bob, admin, "spam")
    delete_account(user)
    db.session.commit()
    assert client.get("/user/bob/feed.atom").status_code == 404
    assert client.get("/user/susan/feed.atom").status_code == 404


def test_posts_of_suspended_accounts_leave_the_tag_feed(client, user, bob):
    admin = UserFactory(username="admin", role=Role.ADMINISTRATOR)
    kept = publish(user, "mine #news")
    publish(bob, "spam #news")
    moderation.suspend(bob, admin, "spam")
    db.session.commit()
    feed = read_feed(client, "/tag/news/feed.atom")
    assert [entry.id for entry in feed.entries] == [f"http://localhost/post/{kept.id}"]


def test_blocks_do_not_change_a_feed_whoever_asks(client, client_as, user, bob):
    publish(bob, "bob speaks #talk")
    publish(user, "susan answers #talk")
    safety.block(bob, user)
    safety.mute(user, UserFactory(username="carol"))
    db.session.commit()
    for path in ("/user/bob/feed.atom", "/tag/talk/feed.atom"):
        anonymous = client.get(path)
        blocked = client_as("susan").get(path)
        assert blocked.status_code == 200
        assert blocked.data == anonymous.data and blocked.headers["ETag"] == anonymous.headers["ETag"]
    assert len(read_feed(client, "/tag/talk/feed.atom").entries) == 2


def test_hostile_bodies_are_escaped_and_never_break_the_feed(client, user):
    body = "<script>alert(1)</script> Tom & Jerry ]]> \x00\x01\x0b\x1f\ufffe end #xss"
    db.session.add(Post(body=body, author=user, language="en"))
    db.session.commit()
    conversations.publish(user, "a & b <i>#xss</i>", "en")
    db.session.commit()
    response = client.get("/user/susan/feed.atom")
    assert b"<script>" not in response.data and b"<i>" not in response.data
    feed = read_feed(client, "/user/susan/feed.atom")
    texts = {entry.content[0].value for entry in feed.entries}
    assert texts == {"<script>alert(1)</script> Tom & Jerry ]]>  end #xss", "a & b <i>#xss</i>"}
    assert read_feed(client, "/tag/xss/feed.atom").entries[0].title == "a & b <i>#xss</i>"


def test_a_long_post_gets_a_short_title_and_its_whole_text(client, user):
    body = "word " * 27 + "end"
    publish(user, body)
    entry = read_feed(client, "/user/susan/feed.atom").entries[0]
    assert entry.content[0].value == body.strip()
    assert len(entry.title) <= 80 and entry.title.endswith("…")


def test_profiles_and_tag_pages_announce_their_feeds(logged_in, user, bob):
    publish(bob, "#news")
    profile = logged_in.get("/user/bob").text
    assert '<link rel="alternate" type="application/atom+xml" href="/user/bob/feed.atom"' in profile
    tag = logged_in.get("/tag/news").text
    assert '<link rel="alternate" type="application/atom+xml" href="/tag/news/feed.atom"' in tag


def test_a_suspended_profile_announces_no_feed_to_moderators(client_as, bob):
    admin = UserFactory(username="admin", role=Role.ADMINISTRATOR)
    moderation.suspend(bob, admin, "spam")
    db.session.commit()
    page = client_as("admin").get("/user/bob")
    assert page.status_code == 200 and "feed.atom" not in page.text


# Images: an enclosure per image, and the previews with their alt text in the content


class ImagesIn(HTMLParser):
    """The images of an entry's HTML content (src and alt), and its text."""

    def __init__(self, html: str):
        super().__init__()
        self.images: list[tuple[str, str]] = []
        self.text = ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            found = dict(attrs)
            self.images.append((found.get("src"), found.get("alt")))

    def handle_data(self, data):
        self.text += data


def publish_with_images(author, body: str, count: int, minutes_ago: int = 0) -> tuple[Post, list[Media]]:
    images = [
        media.store(author, image_bytes("PNG" if n % 2 else "JPEG", size=(30 + n, 20)), f'image {n} of "{body}" <&>')
        for n in range(count)
    ]
    post = conversations.publish(author, body, "en", media_ids=[image.id for image in images])
    post.timestamp = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()
    return post, images


def check_images(entry, images: list[Media]) -> None:
    """The entry has one enclosure per image (the original, its type and size) and shows each preview with its alt."""
    enclosures = [link for link in entry.links if link.rel == "enclosure"]
    assert [(link.href, link.type, link.length) for link in enclosures] == [
        (f"http://localhost/media/{image.key}/original", image.content_type, str(image.size)) for image in images
    ]
    assert entry.content[0].type == "text/html"
    shown = ImagesIn(entry.content[0].value)
    assert shown.images == [(f"http://localhost/media/{image.key}/preview", image.alt_text) for image in images]


@pytest.fixture
def media_client(media_app):
    return media_app.test_client()


def test_entries_with_images_enclose_the_originals_and_show_the_previews(media_client, uploads):
    susan = UserFactory(username="susan")
    two, two_images = publish_with_images(susan, "two pictures #photos", 2, minutes_ago=3)
    plain = publish(susan, "no picture #photos", minutes_ago=2)
    four, four_images = publish_with_images(susan, "four\nlines & <b>bold</b> #photos", 4, minutes_ago=1)
    for path in ("/user/susan/feed.atom", "/tag/photos/feed.atom"):
        feed = read_feed(media_client, path)
        assert [entry.title for entry in feed.entries] == [four.body, plain.body, two.body]
        check_images(feed.entries[0], four_images)
        check_images(feed.entries[2], two_images)
        assert ImagesIn(feed.entries[0].content[0].value).text == "fourlines & <b>bold</b> #photos"
        check_entry(feed.entries[1], plain)
        assert [link.rel for link in feed.entries[1].links] == ["alternate"]
    # The enclosures are served: the original's bytes, of the announced type and length.
    with media_client.get(f"/media/{two_images[1].key}/original") as original:
        assert original.status_code == 200 and original.mimetype == two_images[1].content_type
        assert len(original.data) == two_images[1].size


def test_hostile_alt_text_is_escaped_in_the_content(media_client, uploads):
    susan = UserFactory(username="susan")
    alt = '"><script>alert(1)</script><img src=x onerror=alert(2)> & \x0b end'
    image = media.store(susan, image_bytes("PNG"), alt)
    conversations.publish(susan, "<script>bad()</script>", "en", media_ids=[image.id])
    db.session.commit()
    response = media_client.get("/user/susan/feed.atom")
    assert b"<script>" not in response.data and b"<img" not in response.data
    entry = read_feed(media_client, "/user/susan/feed.atom").entries[0]
    shown = ImagesIn(entry.content[0].value)
    assert shown.images == [(f"http://localhost/media/{image.key}/preview", alt.replace("\x0b", ""))]
    assert "bad()" in shown.text and "alert(2)" not in shown.text


def test_a_feed_reads_its_images_in_one_query_however_many(media_client, uploads):
    susan = UserFactory(username="susan")
    publish(susan, "no images yet")
    with counting_queries() as without_images:
        read_feed(media_client, "/user/susan/feed.atom")
    publish_with_images(susan, "one", 1, minutes_ago=1)
    with counting_queries() as one:
        read_feed(media_client, "/user/susan/feed.atom")
    for n in range(5):
        publish_with_images(susan, f"more {n}", 4)
    with counting_queries() as many:
        feed = read_feed(media_client, "/user/susan/feed.atom")
    assert sum(1 for entry in feed.entries for link in entry.links if link.rel == "enclosure") == 21
    assert one.count == many.count == without_images.count + 1
