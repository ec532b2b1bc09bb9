"""Conversations: replies and threads, mentions, hashtags, links, likes, reposts and activity.

The blueprints call these functions; they act on the models. `init_app` gives the app the
trending-tags cache and the `post_body` template function that renders a post's text.
"""

from types import SimpleNamespace

from cachetools import TTLCache
from flask import Flask, url_for
from flask_login import current_user
from markupsafe import Markup

from app.conversations.activity import Entry, activity_page, mark_read
from app.conversations.markup import canonical_tag, find_mentions, find_tags, is_tag, render
from app.conversations.posting import CannotReply, delete, publish
from app.conversations.reactions import CannotReact, annotate, like, repost, unique_entries, unlike, unrepost
from app.conversations.tags import TAG_TOTALS_KEPT, tag_page, trending_tags
from app.conversations.threads import ancestors, descendants, thread_head
from app.models import Post

__all__ = [
    "CannotReact",
    "CannotReply",
    "Entry",
    "activity_page",
    "ancestors",
    "annotate",
    "canonical_tag",
    "cards",
    "delete",
    "descendants",
    "find_mentions",
    "find_tags",
    "init_app",
    "is_tag",
    "like",
    "mark_read",
    "post_body",
    "publish",
    "render",
    "repost",
    "tag_page",
    "thread_head",
    "trending_tags",
    "unique_entries",
    "unlike",
    "unrepost",
]


def init_app(app: Flask) -> None:
    """Store the trending-tags and tag-total caches and register the `post_body` template function."""
    seconds = app.config["TRENDING_TAGS_SECONDS"]
    trending = TTLCache(maxsize=1, ttl=seconds) if seconds > 0 else None
    seconds = app.config["TAG_TOTAL_SECONDS"]
    tag_totals = TTLCache(maxsize=TAG_TOTALS_KEPT, ttl=seconds) if seconds > 0 else None
    app.extensions["conversations"] = SimpleNamespace(trending=trending, tag_totals=tag_totals)
    app.jinja_env.globals["post_body"] = post_body
    app.jinja_env.globals["cards"] = cards


def cards(posts: list[Post]) -> list[Post]:
    """Template function: a page's posts ready for their cards, for the signed-in reader.

    Several reposts of one post are shown once, and each shown post learns the reader's own
    like and repost and the current names of the users it mentions (one query).
    """
    entries = unique_entries(posts)
    annotate(entries, current_user)
    return entries


def post_body(post: Post) -> Markup:
    """Return a post's text as HTML, with links for URLs, known @mentions and #hashtags."""
    return render(post.body, post.mentioned, _user_url, _tag_url)


def _user_url(username: str) -> str:
    return url_for("main.user", username=username)


def _tag_url(tag: str) -> str:
    return url_for("social.tag", tag=tag)
