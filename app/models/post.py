"""A short public post."""

import functools
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from app.extensions import db
from app.models import visibility
from app.models.mixins import PaginatedAPIMixin, SearchableMixin
from app.models.reaction import Like, Mention
from app.models.types import UTCDateTime, utcnow
from app.pagination import Cursor

if TYPE_CHECKING:
    from app.models.media import Media
    from app.models.user import User


class Post(SearchableMixin, PaginatedAPIMixin, db.Model):
    """A post of at most 140 characters, a reply to another post, or a repost of one.

    A repost is a post of the reposter's with no body and `repost_of` set, so it reaches the
    reposter's followers through the same timeline query as any post. Deleting a post that has
    replies leaves a tombstone in the thread: the row stays, without author or body.
    """

    __searchable__ = ["body"]
    __table_args__ = (
        # A user's posts, newest first (profiles, sparse timelines); with the id and the reposted post's
        # author in it, a sparse timeline is gathered, and checked against `visible_to`, from the index alone.
        sa.Index("ix_post_user_id_timestamp_id_repost_of_user_id", "user_id", "timestamp", "id", "repost_of_user_id"),
        # Everyone's posts newest first (explore, dense timelines); with the author and the reposted
        # post's author in it, a timeline's page is found, and checked against the reader's blocks
        # and mutes (`visible_to`), from the index alone (see `fetch_page`).
        sa.Index("ix_post_timestamp_id_user_id_repost_of_user_id", "timestamp", "id", "user_id", "repost_of_user_id"),
        # A thread's replies, oldest first; with the id, the author and the reposted post's author in
        # it, a thread's tree is walked, ordered and checked against `visible_to` from the index alone.
        sa.Index(
            "ix_post_in_reply_to_id_timestamp_id_user_id_repost_of_user_id",
            "in_reply_to_id",
            "timestamp",
            "id",
            "user_id",
            "repost_of_user_id",
        ),
        # A thread's replies at any depth, oldest first: with the author and the reposted post's author
        # in it, a page of the replies to a thread's first post is found, and checked against
        # `visible_to`, from the index alone (app.conversations.threads.descendants).
        sa.Index(
            "ix_post_root_id_timestamp_id_user_id_repost_of_user_id",
            "root_id",
            "timestamp",
            "id",
            "user_id",
            "repost_of_user_id",
        ),
        # One repost per person per post (a NULL repost_of_id, an ordinary post, is never a duplicate).
        sa.UniqueConstraint("repost_of_id", "user_id", name="uq_post_repost_of_id_user_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # At most 140 characters when written here (the forms and the API); a note of another server's may be longer.
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    # The ActivityPub id of a note another server published (app.federation); None for a post written here.
    uri: so.Mapped[Optional[str]] = so.mapped_column(sa.String(512), index=True, unique=True)
    timestamp: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # None once the post is deleted but kept as a tombstone for its replies.
    user_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    language: so.Mapped[Optional[str]] = so.mapped_column(sa.String(5))
    # The body as the database search indexes it, kept by the search service (app.search.events).
    search_text: so.Mapped[Optional[str]] = so.mapped_column(sa.Text, deferred=True)
    in_reply_to_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("post.id", ondelete="SET NULL"))
    # A reply's thread: the first post of the chain of replies it ends (None for a post that answers
    # nothing), set when it is written. No foreign key: a post with replies is never deleted, only
    # made a tombstone.
    root_id: so.Mapped[Optional[int]] = so.mapped_column()
    repost_of_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("post.id", ondelete="CASCADE"))
    # A repost's copy of the reposted post's author, set when reposting: the visibility rule checks
    # it on the repost's own row (and index entry) instead of joining the reposted post. No foreign
    # key: the reposted post, and with it this repost, goes when that author does.
    repost_of_user_id: so.Mapped[Optional[int]] = so.mapped_column()
    # Kept by app.conversations in the transaction that adds or removes the reply, like or repost.
    replies_count: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    likes_count: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    reposts_count: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    # Images attached (app.media sets it when attaching): a page whose posts carry none skips their query.
    media_count: so.Mapped[int] = so.mapped_column(default=0, server_default="0")

    author: so.Mapped[Optional["User"]] = so.relationship(back_populates="posts")
    parent: so.Mapped[Optional["Post"]] = so.relationship(
        remote_side=[id], foreign_keys=[in_reply_to_id], back_populates="replies"
    )
    replies: so.WriteOnlyMapped["Post"] = so.relationship(
        foreign_keys=[in_reply_to_id], back_populates="parent", passive_deletes=True
    )
    repost_of: so.Mapped[Optional["Post"]] = so.relationship(remote_side=[id], foreign_keys=[repost_of_id])

    # What app.conversations.annotate sets for the reader of a page (plain attributes, not columns);
    # `read_for` is the reader for whom `load_newest_first` read them with the page, `annotated_for`
    # the one annotate finished them for.
    reader_liked = False
    reader_reposted = False
    read_for = None
    annotated_for = None
    mentioned: dict[str, str] = {}  # each name written with @ (lower-cased) -> that user's current username
    images: list["Media"] = []  # its attached images, in order

    def __repr__(self) -> str:
        return f"<Post {self.body}>"

    @classmethod
    def newest_first(cls, query: sa.Select | None = None) -> sa.Select:
        """Order a select of posts (default: all but tombstones) newest first; read its pages with `fetch_page`.

        Its pages can also be read by cursor (`seek`).
        """
        query = sa.select(cls).where(cls.user_id.is_not(None)) if query is None else query
        return query.order_by(cls.timestamp.desc(), cls.id.desc())

    @classmethod
    def seek(cls, query: sa.Select, cursor: Cursor) -> sa.Select:
        """Restrict a select from `newest_first` to the posts on `cursor`'s side of its place, nearest first.

        Older posts keep the newest-first order; newer ones are read oldest first, so that a page's
        LIMIT keeps those nearest the cursor. The (timestamp, id) comparison is a range of the
        (timestamp, id, ...) index: a page read from a cursor starts there and reads no earlier page.
        """
        key = sa.tuple_(cls.timestamp, cls.id)
        place = sa.tuple_(sa.literal(cursor.timestamp, UTCDateTime), sa.literal(cursor.id))
        if cursor.older:
            return query.where(key < place)
        return query.where(key > place).order_by(None).order_by(cls.timestamp, cls.id)

    @classmethod
    def visible_to(cls, reader: Optional["User"], tombstones: bool = False) -> sa.ColumnElement[bool]:
        """Return the WHERE clause keeping the posts `reader` may see (see app.models.visibility).

        Posts and reposts by people the reader blocks, mutes or is blocked by, reposts of theirs, and
        everything suspended accounts wrote are left out. `tombstones` keeps deleted posts (threads).
        """
        return _visible_clause(visibility.reader_id(reader), tombstones)

    @property
    def is_deleted(self) -> bool:
        """Whether this is the tombstone of a deleted post."""
        return self.user_id is None

    @property
    def shown(self) -> "Post":
        """The post a card shows: the reposted post for a repost, else this one."""
        return self if self.repost_of_id is None else self.repost_of

    @classmethod
    def card_options(cls) -> tuple:
        """Loader options for everything a card shows: the author, the reposted post, the answered names.

        A reply's card needs only the name of the author it answers (`answered_name`): read in the
        same row, it spares the page query two joins of whole posts and users.
        """
        return _card_options(current_app.extensions["avatars"].sources)

    @classmethod
    def fetch_page(cls, query: sa.Select, limit: int, offset: int, reader_id: int | None = None) -> list["Post"]:
        """Return `limit` posts of `query` (from `newest_first`) after `offset`, with what their cards show.

        The page's ids are picked first, from the (timestamp, id, user_id) index alone, and only
        those rows are then read and joined to their authors. A deep page thus skips its offset
        in the index instead of reading and joining every row it passes over. See
        `load_newest_first` for `reader_id`.
        """
        return cls.load_newest_first(query.with_only_columns(cls.id).limit(limit).offset(offset), reader_id)

    @classmethod
    def pages_for(cls, reader: Optional["User"]) -> Callable[[sa.Select, int, int], list["Post"]]:
        """Return `fetch_page` for `reader` (a paginator's `fetch`): each page reads their likes and reposts too."""
        reader_id = visibility.signed_in_id(reader)
        return functools.partial(cls.fetch_page, reader_id=reader_id)

    @classmethod
    def load_newest_first(cls, ids: sa.Select, reader_id: int | None = None) -> list["Post"]:
        """Return the posts whose ids `ids` selects (one column), newest first, with what their cards show.

        See `load_for` for `reader_id`.
        """
        return cls._load_picked(ids, reader_id, cls.timestamp.desc(), cls.id.desc())

    @classmethod
    def _load_picked(cls, ids: sa.Select, reader_id: int | None, *order: sa.ColumnElement) -> list["Post"]:
        """Return the posts whose ids `ids` selects, in `order`, with what their cards show (via `load_for`)."""
        picked = ids.subquery()
        page = sa.select(cls).join(picked, cls.id == picked.c[0]).options(*cls.card_options()).order_by(*order)
        return cls.load_for(page, reader_id)

    @classmethod
    def load_for(cls, query: sa.Select, reader_id: int | None) -> list["Post"]:
        """Return the posts `query` selects (a select of Post alone, with `card_options`).

        With a `reader_id`, the same statement reads what `app.conversations.annotate` would ask
        next: whether that reader likes and has reposted each shown post, and the current names of
        the users it mentions (a primary-key probe each, a row); the posts then carry `read_for`.
        """
        if reader_id is None:
            return list(db.session.scalars(query).unique())
        posts = []
        rows = db.session.execute(query.add_columns(*_page_extras()), {"reader": reader_id}).unique()
        for post, liked, reposted, names in rows:
            shown = post.shown
            shown.reader_liked, shown.reader_reposted = bool(liked), bool(reposted)
            shown.mentioned = dict(pair.split("/", 1) for pair in names.split()) if names else {}
            shown.read_for = reader_id
            posts.append(post)
        return posts

    @classmethod
    def loader_for(cls, reader: Optional["User"]) -> Callable[[sa.Select], list["Post"]]:
        """Return `load_for` for `reader`: it reads the posts of a select with the reader's likes and reposts."""
        return functools.partial(cls.load_for, reader_id=visibility.signed_in_id(reader))

    @classmethod
    def oldest_first_pages_for(cls, reader: Optional["User"]) -> Callable[[sa.Select, int, int], list["Post"]]:
        """Return a paginator's `fetch` for a select of posts oldest first (a thread's replies), via `load_for`.

        The page's ids are picked first, by limit and offset, and only those posts are then read
        with what their cards show: a deep page skips the replies before it without joining them
        to their authors (page 20 of the bench's 4,085-reply thread, in-process on PostgreSQL:
        19.7 ms before, 8.4 now).
        """
        reader_id = visibility.signed_in_id(reader)

        def fetch(query: sa.Select, limit: int, offset: int) -> list["Post"]:
            ids = query.with_only_columns(cls.id).limit(limit).offset(offset)
            return cls._load_picked(ids, reader_id, cls.timestamp, cls.id)

        return fetch

    @classmethod
    def publish(
        cls,
        author: "User",
        body: str,
        language: str,
        parent: Optional["Post"] = None,
        timestamp: datetime | None = None,
    ) -> "Post":
        """Add a new post by `author` in `language` (from app.translate.detect_language); the caller commits.

        Replies, mentions and hashtags are app.conversations' work: it calls this. `timestamp` is
        when another server's note was published (app.federation); a post written here is dated now.

        The author and the parent are set by id, not through the relationships: the new post then
        joins no collection of theirs, so the flush writes it without working through the author's and
        the parent's relationships (about 0.4 ms less a post, a fifth of the ORM's share of a write).
        """
        if author.id is None:  # an author added in this transaction gets its id from the flush
            db.session.flush()
        post = cls(
            body=body.strip(),
            timestamp=timestamp or utcnow(),
            user_id=author.id,
            language=language,
            in_reply_to_id=None if parent is None else parent.id,
            root_id=None if parent is None else parent.root_id or parent.id,
        )
        db.session.add(post)
        return post

    @classmethod
    def search_options(cls) -> tuple:
        """Load each result with what its card shows."""
        return cls.card_options()

    def is_searchable(self) -> bool:
        """Reposts and tombstones have no text of their own: the index leaves them out."""
        return self.repost_of_id is None and self.user_id is not None

    def card_key(self, locale: str, offer_translation: bool, mount: str) -> tuple:
        """Return the fragment-cache key of this post's card: everything its cached part shows.

        The post itself and its text (only another server's note is ever edited: app.federation),
        its author's name and what the avatar is made from (the id for the app's identicons, the
        email for Gravatar: `User.avatar_source`), the name of the author it answers, the current
        names of the users it mentions, its images (set by app.conversations.annotate; their files
        and alt text never change), the reader's language, whether a "Translate" link is offered,
        and the path the app is mounted at (every link starts with it). Counts and the reader's own
        likes are outside it. See `_post.html`.
        """
        author = self.author
        answered = None if self.in_reply_to_id is None else (self.in_reply_to_id, self.answered_name)
        mentioned = tuple(sorted(self.mentioned.items()))
        avatar = author.avatar_source()
        images = tuple(image.key for image in self.images)
        return (
            "post",
            self.id,
            self.body,
            author.username,
            avatar,
            answered,
            mentioned,
            images,
            locale,
            offer_translation,
            mount,
        )


def _count_post(mapper, connection, post: Post) -> None:
    """Keep the author's post counter in step, in the same transaction as the insert."""
    _change_post_count(connection, post.user_id, 1)


def _uncount_post(mapper, connection, post: Post) -> None:
    if post.user_id is not None:  # a tombstone was uncounted when it lost its author
        _change_post_count(connection, post.user_id, -1)


# The counter's column, without importing the User model (which imports this module).
_users = sa.table("user", sa.column("id"), sa.column("post_count"))
# Built once: building it for each post, and working out its cache key, cost 0.07 ms of CPU on SQLite and
# 0.11 ms on PostgreSQL.
_ADD_TO_POST_COUNT = (
    sa.update(_users)
    .where(_users.c.id == sa.bindparam("user_id"))
    .values(post_count=_users.c.post_count + sa.bindparam("delta"))
)


def _change_post_count(connection, user_id: int, delta: int) -> None:
    connection.execute(_ADD_TO_POST_COUNT, {"user_id": user_id, "delta": delta})


# The current name of the author a reply answers: None for a tombstone or an ordinary post. It is a
# correlated subquery on the post's row, read only where `card_options` asks for it.
_answered = Post.__table__.alias("answered")
_answered_author = sa.table("user", sa.column("id"), sa.column("username")).alias("answered_author")
Post.answered_name = so.deferred(
    sa.select(_answered_author.c.username)
    .join(_answered, _answered.c.user_id == _answered_author.c.id)
    .where(_answered.c.id == Post.in_reply_to_id)
    .scalar_subquery()
)


@functools.lru_cache(maxsize=4096)
def _visible_clause(reader_id: int, tombstones: bool) -> sa.ColumnElement[bool]:
    """The clause of `Post.visible_to` for one reader, built once per process and reader.

    Building it costs about 0.15 ms, a tenth of a timeline's SQL; a clause is immutable and holds
    only the reader's id (the hidden set is read when the statement runs), so pages share it.
    """
    return visibility.visible_posts(Post.user_id, Post.repost_of_user_id, reader_id, tombstones)


@functools.cache
def _page_extras() -> tuple[sa.Label, sa.Label, sa.Label]:
    """What a page's cards need beyond the rows, for the reader (parameter `reader`), per shown post.

    Whether the reader likes it and has reposted it, and the users it mentions as "written/current"
    pairs of names separated by spaces (a username holds neither, nor does a remote one's host,
    which may hold a colon). Built once, on first use: the
    statement is then the same for every reader (statement caches).
    """
    reader = sa.bindparam("reader", type_=sa.Integer)
    shown = sa.func.coalesce(Post.repost_of_id, Post.id)
    own_repost = Post.__table__.alias("own_repost")
    named = Post.author.property.mapper.class_.__table__.alias("named")
    liked = sa.exists().where(Like.user_id == reader, Like.post_id == shown)
    reposted = sa.exists().where(own_repost.c.user_id == reader, own_repost.c.repost_of_id == shown)
    mentioned = (
        sa.select(sa.func.aggregate_strings(Mention.name + "/" + named.c.username, " "))
        .join(named, named.c.id == Mention.user_id)
        .where(Mention.post_id == shown)
        .scalar_subquery()
    )
    return liked.label("reader_liked"), reposted.label("reader_reposted"), mentioned.label("mentioned_names")


@functools.cache
def _card_options(avatar_sources: tuple[str, ...]) -> tuple:
    """The loader options of `Post.card_options`, built on first use (once every model is mapped).

    Loader options are immutable, so one set per avatar provider serves every page; building them
    cost each page about 0.1 ms.
    """
    author = so.joinedload(Post.author).load_only(*_card_author_columns(avatar_sources))
    return (
        author,
        so.undefer(Post.answered_name),
        so.joinedload(Post.repost_of).options(author, so.undefer(Post.answered_name)),
    )


def _card_author_columns(avatar_sources: tuple[str, ...]) -> tuple:
    """What a card shows of its author: the name and what the avatar is made from (not the whole row).

    `avatar_sources` are the provider's (app.avatars): the id for the app's own pictures, so a card
    reads no email address unless Gravatar needs it.
    """
    user = Post.author.property.mapper.class_
    columns = {"id": user.id, "username": user.username}
    columns.update((name, getattr(user, name)) for name in avatar_sources)
    return tuple(columns.values())


sa.event.listen(Post, "after_insert", _count_post)
sa.event.listen(Post, "after_delete", _uncount_post)
