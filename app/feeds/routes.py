"""Views of the feeds blueprint: `/user/<username>/feed.atom` and `/tag/<tag>/feed.atom`.

A feed is what an anonymous reader sees, whoever asks: the visibility rule for nobody (posts of
suspended accounts left out), never the asking user's blocks or mutes, so every reader gets the
same document and caches may share it. Reposts are left out: a feed lists what its person wrote.

An entry with images carries an enclosure link per image (the original) and HTML content: its text
and each image's preview with its alt text. The images of a feed are read in one query.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import _
from markupsafe import escape

from app import conversations, media
from app.extensions import db
from app.models import Media, Post, User
from app.validators import is_valid_username

bp = Blueprint("feeds", __name__, template_folder="templates")

# Entries in a feed.
FEED_SIZE = 50
# Seconds a reader or cache may reuse a feed before asking again (with If-None-Match).
MAX_AGE = 300
# What XML 1.0 cannot carry even escaped: C0 controls but tab and newlines, lone surrogates, U+FFFE/F.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A feed with no entries yet was last changed at no particular time.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FeedImage:
    """What an entry says of one image: its enclosure (the original) and its preview in the content."""

    content_type: str
    original: str
    size: int
    preview: str
    alt: str

    @classmethod
    def of(cls, image: Media) -> "FeedImage":
        return cls(
            content_type=image.content_type,
            original=media.url(image, "original", external=True),
            size=image.size,
            preview=media.url(image, "preview", external=True),
            alt=image.alt_text,
        )


def content_html(body: str, images: list[FeedImage]) -> str:
    """Return an entry's HTML content: its text, then each image's preview with its alt text.

    The template escapes it once more, as Atom's `type="html"` content wants.
    """
    paragraphs = [f"<p>{escape(body)}</p>".replace("\n", "<br>")]
    paragraphs += [f'<p><img src="{_attribute(image.preview)}" alt="{_attribute(image.alt)}"></p>' for image in images]
    return "".join(paragraphs)


def _attribute(value: str) -> str:
    """Escape a double-quoted HTML attribute's value.

    Quotes become `&#x22;`: feedparser, which many readers are built on, cuts an attribute short
    at the equally valid `&quot;` or `&#34;`.
    """
    return str(escape(value)).replace("&#34;", "&#x22;")


@bp.app_template_filter("xml_text")
def xml_text(text: str | None) -> str:
    """Drop the characters XML 1.0 refuses (autoescaping does the rest)."""
    return _NOT_XML.sub("", text or "")


@bp.route("/user/<username>/feed.atom")
def user_feed(username: str):
    """Answer the Atom feed of a user's latest posts; 404 for an unknown or suspended account."""
    user = db.session.scalar(User.by_username(username)) if is_valid_username(username) else None
    if user is None or user.is_suspended:
        abort(404)
    query = Post.newest_first(user.posts.select().where(Post.visible_to(None), Post.repost_of_id.is_(None)))
    return _feed(
        _("Posts by %(username)s", username=user.username),
        url_for("feeds.user_feed", username=user.username, _external=True),
        url_for("main.user", username=user.username, _external=True),
        list(db.session.scalars(query.limit(FEED_SIZE))),
    )


@bp.route("/tag/<tag>/feed.atom")
def tag_feed(tag: str):
    """Answer the Atom feed of the latest posts with a hashtag."""
    if not conversations.is_tag(tag):
        abort(404)
    canonical = conversations.canonical_tag(tag)
    if canonical != tag:
        return redirect(url_for("feeds.tag_feed", tag=canonical))
    posts = conversations.tag_page(canonical, 1, FEED_SIZE, None).items
    return _feed(
        _("Posts tagged #%(tag)s", tag=canonical),
        url_for("feeds.tag_feed", tag=canonical, _external=True),
        url_for("social.tag", tag=canonical, _external=True),
        [post for post in posts if post.repost_of_id is None],
    )


def _feed(title: str, self_url: str, alternate: str, posts: list[Post]):
    """Render `posts` (newest first) as an Atom feed, answered with ETag and Last-Modified, or 304."""
    updated = posts[0].timestamp if posts else _EPOCH
    # One query for the feed's images, none when no post carries any.
    images = {post_id: [FeedImage.of(image) for image in rows] for post_id, rows in media.images_of(posts).items()}
    body = render_template(
        "feeds/feed.xml",
        title=title,
        self_url=self_url,
        alternate=alternate,
        posts=posts,
        updated=updated,
        images=images,
        content_html=content_html,
    )
    response = current_app.response_class(body, mimetype="application/atom+xml")
    response.last_modified = updated
    response.add_etag()
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    response.vary.add("Accept-Language")  # the feed's own title is in the reader's language
    return response.make_conditional(request)
