"""Hashtag pages and the tags most used lately."""

from datetime import timedelta

import sqlalchemy as sa
from cachetools import TTLCache
from flask import current_app

from app.extensions import db
from app.models import Post, PostTag, User, utcnow, visibility
from app.pagination import Page, paginate

TRENDING_WINDOW = timedelta(hours=24)
TRENDING_COUNT = 10
# A tag's total grows with the tag: counting the bench's #coffee cost 3.3 ms of its 9.1 ms page on
# PostgreSQL (1.8 of 5.7 on SQLite). A total of LARGE_TAG posts or more is kept TAG_TOTAL_SECONDS in
# each process, where a few posts more or less go unseen; a smaller tag is counted on every view.
LARGE_TAG = 1_000
TAG_TOTALS_KEPT = 1_000  # tags whose totals a process keeps at once


def tag_page(tag: str, page: int, per_page: int, reader: User | None = None) -> Page:
    """Return page `page` of the posts with canonical tag `tag` that `reader` sees, newest first.

    The page's ids come from the (tag, timestamp, post_id) index, checked against the visibility
    rule on each post's row; only they are then read, with one more to tell whether a next page
    exists. The total counts every tagged post (`tag_total`).
    """
    reader_id = visibility.signed_in_id(reader)
    query = (
        sa.select(PostTag.post_id)
        .join(Post, Post.id == PostTag.post_id)
        .where(PostTag.tag == tag, Post.visible_to(reader))
        .order_by(PostTag.timestamp.desc(), PostTag.post_id.desc())
    )

    def fetch(query: sa.Select, limit: int, offset: int) -> list[Post]:
        return Post.load_newest_first(query.limit(limit).offset(offset), reader_id)

    result = paginate(query, page, per_page, fetch)
    result.total = tag_total(tag)
    return result


def tag_total(tag: str) -> int:
    """Return how many posts carry canonical tag `tag`; a large tag's count may be TAG_TOTAL_SECONDS old."""
    cache: TTLCache | None = current_app.extensions["conversations"].tag_totals
    total = None if cache is None else cache.get(tag)
    if total is None:
        total = db.session.scalar(sa.select(sa.func.count()).where(PostTag.tag == tag))
        if cache is not None and total >= LARGE_TAG:
            cache[tag] = total
    return total


def trending_tags() -> tuple[tuple[str, int], ...]:
    """Return the most used tags of the last day and their use counts, most used first.

    Explore shows them on every view, so each process keeps the answer for TRENDING_TAGS_SECONDS.
    """
    cache: TTLCache | None = current_app.extensions["conversations"].trending
    if cache is None:
        return _count_trending()
    tags = cache.get("tags")
    if tags is None:
        tags = cache["tags"] = _count_trending()
    return tags


def _count_trending() -> tuple[tuple[str, int], ...]:
    uses = sa.func.count().label("uses")
    query = (
        sa.select(PostTag.tag, uses)
        .where(PostTag.timestamp >= utcnow() - TRENDING_WINDOW)
        .group_by(PostTag.tag)
        .order_by(uses.desc(), PostTag.tag)
        .limit(TRENDING_COUNT)
    )
    return tuple((tag, count) for tag, count in db.session.execute(query))
