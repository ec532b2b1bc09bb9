"""A short public post."""

from datetime import datetime
from typing import TYPE_CHECKING, Any, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.mixins import PaginatedAPIMixin, SearchableMixin
from app.models.types import UTCDateTime, utcnow
from app.services.search import normalize_text
from app.services.search.database import install_ddl_events
from app.urls import id_url

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
    # The body as the database search indexes it (see app.services.search.normalize_text).
    search_text: so.Mapped[Optional[str]] = so.mapped_column(sa.Text, deferred=True)

    author: so.Mapped["User"] = so.relationship(back_populates="posts")

    def __repr__(self) -> str:
        return f"<Post {self.body}>"

    @so.validates("body")
    def _keep_search_text(self, key: str, body: str) -> str:
        self.search_text = normalize_text(body)
        return body

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
    def publish(cls, author: "User", body: str) -> "Post":
        """Add a new post by `author`, with its language detected (the caller commits)."""
        from app.services.language import detect_language

        body = body.strip()
        post = cls(body=body, author=author, language=detect_language(body))
        db.session.add(post)
        return post

    @classmethod
    def search_options(cls) -> list:
        return [so.joinedload(cls.author)]

    @classmethod
    def page_to_dicts(cls, items: list["Post"]) -> list[dict[str, Any]]:
        """Return the API representations of a page of posts, loading missing authors in one query."""
        from app.models.user import User

        missing = {post.user_id for post in items if "author" not in so.attributes.instance_dict(post)}
        if missing:
            # Loaded users sit in the identity map, so `post.author` below needs no query of its own.
            db.session.scalars(sa.select(User).where(User.id.in_(missing))).all()
        return [post.to_dict() for post in items]

    def to_dict(self) -> dict[str, Any]:
        """Return the API representation of this post."""
        return {
            "id": self.id,
            "body": self.body,
            "timestamp": self.timestamp.isoformat(),
            "language": self.language or "",
            "author_id": self.user_id,
            "author": self.author.username,
            "_links": {
                "self": id_url("api.get_post", self.id),
                "author": id_url("api.get_user", self.user_id),
            },
        }


install_ddl_events(Post.__table__)


def _count_post(mapper, connection, post: Post) -> None:
    """Keep the author's post counter in step, in the same transaction as the insert."""
    _change_post_count(connection, post.user_id, 1)


def _uncount_post(mapper, connection, post: Post) -> None:
    _change_post_count(connection, post.user_id, -1)


def _change_post_count(connection, user_id: int, delta: int) -> None:
    from app.models.user import User

    users = User.__table__
    connection.execute(sa.update(users).where(users.c.id == user_id).values(post_count=users.c.post_count + delta))


sa.event.listen(Post, "after_insert", _count_post)
sa.event.listen(Post, "after_delete", _uncount_post)
