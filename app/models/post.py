"""A short public post."""

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.mixins import PaginatedAPIMixin, SearchableMixin
from app.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.user import User


class Post(SearchableMixin, PaginatedAPIMixin, db.Model):
    """A post of at most 140 characters."""

    __searchable__ = ["body"]
    __table_args__ = (
        # A user's posts, newest first (profiles, sparse timelines).
        sa.Index("ix_post_user_id_timestamp", "user_id", "timestamp"),
        # Everyone's posts newest first (explore, dense timelines); with user_id in it, a timeline's
        # page is found from the index alone (see `fetch_page`).
        sa.Index("ix_post_timestamp_id_user_id", "timestamp", "id", "user_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    body: so.Mapped[str] = so.mapped_column(sa.String(140))
    timestamp: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    language: so.Mapped[Optional[str]] = so.mapped_column(sa.String(5))
    # The body as the database search indexes it, kept by the search service (app.search.events).
    search_text: so.Mapped[Optional[str]] = so.mapped_column(sa.Text, deferred=True)

    author: so.Mapped["User"] = so.relationship(back_populates="posts")

    def __repr__(self) -> str:
        return f"<Post {self.body}>"

    @classmethod
    def newest_first(cls, query: sa.Select | None = None) -> sa.Select:
        """Order a select of posts (default: all) newest first; read its pages with `fetch_page`."""
        query = sa.select(cls) if query is None else query
        return query.order_by(cls.timestamp.desc(), cls.id.desc())

    @classmethod
    def fetch_page(cls, query: sa.Select, limit: int, offset: int) -> list["Post"]:
        """Return `limit` posts of `query` (from `newest_first`) after `offset`, with their authors.

        The page's ids are picked first, from the (timestamp, id, user_id) index alone, and only
        those rows are then read and joined to their authors. A deep page thus skips its offset
        in the index instead of reading and joining every row it passes over.
        """
        ids = query.with_only_columns(cls.id).limit(limit).offset(offset).subquery()
        page = (
            sa.select(cls)
            .join(ids, cls.id == ids.c.id)
            .options(so.joinedload(cls.author, innerjoin=True))
            .order_by(cls.timestamp.desc(), cls.id.desc())
        )
        return list(db.session.scalars(page).unique())

    @classmethod
    def publish(cls, author: "User", body: str, language: str) -> "Post":
        """Add a new post by `author` in `language` (from app.translate.detect_language); the caller commits."""
        post = cls(body=body.strip(), author=author, language=language)
        db.session.add(post)
        return post

    @classmethod
    def search_options(cls) -> list:
        """Load each result's author with it."""
        return [so.joinedload(cls.author)]

    def card_key(self, locale: str, offer_translation: bool, mount: str) -> tuple:
        """Return the fragment-cache key of this post's card: everything the card shows.

        The post itself (posts are never edited), its author's name and email (the avatar), the
        reader's language, whether a "Translate" link is offered, and the path the app is mounted
        at (every link starts with it). See `_post.html`.
        """
        author = self.author
        return ("post", self.id, author.username, author.email, locale, offer_translation, mount)


def _count_post(mapper, connection, post: Post) -> None:
    """Keep the author's post counter in step, in the same transaction as the insert."""
    _change_post_count(connection, post.user_id, 1)


def _uncount_post(mapper, connection, post: Post) -> None:
    _change_post_count(connection, post.user_id, -1)


# The counter's column, without importing the User model (which imports this module).
_users = sa.table("user", sa.column("id"), sa.column("post_count"))


def _change_post_count(connection, user_id: int, delta: int) -> None:
    users = _users
    connection.execute(sa.update(users).where(users.c.id == user_id).values(post_count=users.c.post_count + delta))


sa.event.listen(Post, "after_insert", _count_post)
sa.event.listen(Post, "after_delete", _uncount_post)
