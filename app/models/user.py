"""The user account: authentication, follows, tokens and notifications."""

import functools
import hashlib
import json
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, Optional

import jwt
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import visibility
from app.models.activity import Activity, ActivityKind
from app.models.message import Message
from app.models.mixins import PaginatedAPIMixin
from app.models.notification import Notification
from app.models.post import Post
from app.models.role import Permission, Role
from app.models.task import Task
from app.models.types import UTCDateTime, utcnow

followers = sa.Table(
    "followers",
    db.metadata,
    sa.Column("follower_id", sa.Integer, sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("followed_id", sa.Integer, sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_followers_followed_id", "followed_id"),
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The most unread activity entries counted: the navbar badge shows "99+" from here on.
BADGE_CAP = 100


def follow_relationship(own_column: str, other_column: str, back_populates: str):
    """Return one side of the follow graph: the users at `other_column` of rows whose `own_column` is us."""
    return so.relationship(
        secondary=followers,
        primaryjoin=f"followers.c.{own_column} == User.id",
        secondaryjoin=f"followers.c.{other_column} == User.id",
        back_populates=back_populates,
        passive_deletes=True,
    )


# Below this many candidate posts a timeline is gathered and sorted; above it, read newest first.
SPARSE_TIMELINE = 5000


def canonical_username(username: str) -> str:
    """Return the case-folded form that makes usernames unique regardless of case."""
    return username.strip().lower()


class _LayoutQueries(NamedTuple):
    unread_messages: sa.Select
    unread_activity: sa.Select
    page_status: sa.Select
    reader: sa.Select


@functools.cache
def _layout_queries() -> _LayoutQueries:
    """The figures the layout shows on every page, as statements built once with bound parameters.

    A page then pays only for running them, not for building them (about 0.1 ms each); they are
    built on first use, once every model is mapped. The first three take `User._layout_params()`;
    `reader`, the session's user load, takes only `user_id` and reads the user's row and its figures
    in one statement.
    """
    user_id = sa.bindparam("user_id", type_=sa.Integer)
    by_params = _layout_figures(
        user_id,
        messages_since=sa.bindparam("messages_since", type_=UTCDateTime),
        activity_since=sa.bindparam("activity_since", type_=UTCDateTime),
    )
    by_row = _layout_figures(
        user_id,
        messages_since=_read_time(User.last_message_read_time, user_id),
        activity_since=_read_time(User.last_activity_read_time, user_id),
    )
    return _LayoutQueries(
        unread_messages=by_params[0],
        unread_activity=by_params[1],
        page_status=sa.select(*(figure.scalar_subquery() for figure in by_params)),
        reader=sa.select(User, *(figure.scalar_subquery() for figure in by_row)).where(User.id == user_id),
    )


@functools.cache
def _followed_posts_total() -> sa.Select:
    """How many posts the users that `user_id` follows wrote, from their counters (built once: 0.3 ms a page)."""
    return (
        sa.select(sa.func.coalesce(sa.func.sum(User.posts_counter), 0))
        .join(followers, followers.c.followed_id == User.id)
        .where(followers.c.follower_id == sa.bindparam("user_id", type_=sa.Integer))
    )


def _layout_figures(user_id, messages_since, activity_since) -> tuple[sa.Select, sa.Select, sa.Select]:
    """Return the selects of unread messages, unread activity (at most BADGE_CAP) and running tasks."""
    # The badges count what the messages and activity pages show: nothing from people hidden by a block or mute.
    unread_messages = sa.select(sa.func.count(Message.id)).where(
        Message.recipient_id == user_id,
        Message.timestamp > messages_since,
        visibility.visible_senders(user_id),
    )
    # Counted up to BADGE_CAP only: the badge reads "99+" beyond, and a popular account can have
    # tens of thousands of unread likes, which every page would otherwise count.
    unread = sa.select(Activity.id).where(
        Activity.user_id == user_id,
        Activity.timestamp > activity_since,
        visibility.visible_actors(user_id),
    )
    unread_activity = sa.select(sa.func.count()).select_from(unread.limit(BADGE_CAP).subquery())
    running = sa.select(sa.func.count(Task.id)).where(Task.user_id == user_id, Task.in_progress())
    return unread_messages, unread_activity, running


def _read_time(column: so.InstrumentedAttribute, user_id) -> sa.ColumnElement:
    """Return the user's `column` (a last-read time) as a scalar subquery, the epoch when never read.

    A subquery by id rather than a reference to the outer row: MariaDB refuses outer references
    inside the derived table that caps the activity count.
    """
    read_time = sa.select(column).where(User.id == user_id).scalar_subquery()
    return sa.func.coalesce(read_time, sa.literal(EPOCH, type_=UTCDateTime))


class PageStatus(NamedTuple):
    """The per-user figures the layout shows on every page."""

    unread_messages: int
    unread_activity: int
    tasks_running: int


class User(PaginatedAPIMixin, UserMixin, db.Model):
    """A registered account."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # A local name (app.validators), or name@host for an account of another server (app.federation).
    username: so.Mapped[str] = so.mapped_column(sa.String(128))
    # Lower-cased username: the unique index that makes names case-insensitive everywhere.
    username_lower: so.Mapped[str] = so.mapped_column(sa.String(128), unique=True)
    # None only for an account of another server, which never signs in here.
    email: so.Mapped[Optional[str]] = so.mapped_column(sa.String(120), unique=True)
    # The host of the server an account lives on (app.federation); None for this server's own.
    domain: so.Mapped[Optional[str]] = so.mapped_column(sa.String(255), index=True)
    password_hash: so.Mapped[Optional[str]] = so.mapped_column(sa.String(256))
    about_me: so.Mapped[Optional[str]] = so.mapped_column(sa.String(140))
    last_seen: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime, default=utcnow)
    last_message_read_time: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    last_activity_read_time: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    # The UI language chosen from the language menu; None follows the browser.
    locale: so.Mapped[Optional[str]] = so.mapped_column(sa.String(10))
    # Bumped on logout and password change: every session and remember-me cookie signed with
    # an older value stops working (see get_id and the login manager's user loader).
    session_version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    # A Role's value; code asks `can(permission)`, never which role it is (see app/models/role.py).
    role: so.Mapped[str] = so.mapped_column(sa.String(16), default=Role.USER, server_default=Role.USER.value)
    # False until the address is confirmed by the emailed link; `pending_email` is a new address
    # waiting for its own confirmation (the current one stays until then).
    confirmed: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    pending_email: so.Mapped[Optional[str]] = so.mapped_column(sa.String(120))
    # When the account was made (None for accounts older than this column): the overview's sign-ups.
    created_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    # Set by a moderator: the account cannot sign in and its posts are hidden everywhere.
    # Indexed: the visibility rule (app.models.visibility) reads the suspended accounts on every page.
    suspended_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime, index=True)
    # The TOTP secret once two-factor sign-in is on (None: off).
    totp_secret: so.Mapped[Optional[str]] = so.mapped_column(sa.String(64))
    # The time step of the last code that signed in: a code is never accepted twice (RFC 6238, 5.2).
    totp_last_step: so.Mapped[Optional[int]] = so.mapped_column(sa.BigInteger)
    # How many posts the user wrote, kept by the Post insert/delete events in the writer's transaction:
    # profiles, API lists and timeline totals read it instead of counting up to 100,000 rows.
    # The tutorial's posts_count(), followers_count() and following_count() read these counters afresh.
    posts_counter: so.Mapped[int] = so.mapped_column("post_count", default=0, server_default="0")
    # Kept by follow()/unfollow() in the same transaction as the followers row.
    followers_counter: so.Mapped[int] = so.mapped_column("follower_count", default=0, server_default="0")
    following_counter: so.Mapped[int] = so.mapped_column("following_count", default=0, server_default="0")
    token: so.Mapped[Optional[str]] = so.mapped_column(sa.String(32), unique=True)
    # The key naming the files of the picture the person uploaded (app.avatars.uploads); None: the
    # provider's own picture. A new upload gets a new key, so the picture's URL changes with it.
    avatar_key: so.Mapped[Optional[str]] = so.mapped_column(sa.String(32), unique=True)
    token_expiration: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)

    posts: so.WriteOnlyMapped["Post"] = so.relationship(back_populates="author", passive_deletes=True)
    # Both sides of the `followers` table: whom this user follows, and who follows this user.
    following: so.WriteOnlyMapped["User"] = follow_relationship("follower_id", "followed_id", "followers")
    followers: so.WriteOnlyMapped["User"] = follow_relationship("followed_id", "follower_id", "following")
    messages_sent: so.WriteOnlyMapped["Message"] = so.relationship(
        foreign_keys="Message.sender_id", back_populates="author", passive_deletes=True
    )
    messages_received: so.WriteOnlyMapped["Message"] = so.relationship(
        foreign_keys="Message.recipient_id", back_populates="recipient", passive_deletes=True
    )
    notifications: so.WriteOnlyMapped["Notification"] = so.relationship(back_populates="user", passive_deletes=True)
    tasks: so.WriteOnlyMapped["Task"] = so.relationship(back_populates="user", passive_deletes=True)
    activities: so.WriteOnlyMapped["Activity"] = so.relationship(foreign_keys="Activity.user_id", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<User {self.username}>"

    @so.validates("username")
    def _keep_username_lower(self, key: str, username: str) -> str:
        self.username_lower = canonical_username(username)
        return username

    @so.validates("email")
    def _normalize_email(self, key: str, email: str | None) -> str | None:
        return None if email is None else email.strip().lower()

    @classmethod
    def by_username(cls, username: str) -> sa.Select:
        """Return a select for the user with this name, in any case."""
        return sa.select(cls).where(cls.username_lower == canonical_username(username))

    # Passwords

    def set_password(self, password: str) -> None:
        """Hash and store a new password; this also ends every session and the API token."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()
        if self.token:
            self.revoke_token()

    def can(self, permission: Permission) -> bool:
        """Return whether this user's role grants `permission`."""
        return permission in Role(self.role).permissions

    @property
    def is_remote(self) -> bool:
        """Whether the account lives on another server (it is followed and read here, never signed in)."""
        return self.domain is not None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    def get_id(self) -> str:
        """Return the session identity: the id and the current session version."""
        return f"{self.id}.{self.session_version or 0}"

    def end_sessions(self) -> None:
        """Invalidate every session and remember-me cookie issued so far."""
        self.session_version = (self.session_version or 0) + 1

    @staticmethod
    def from_session_id(session_id: str, with_page_status: bool = False) -> Optional["User"]:
        """Return the user of a `get_id()` value, or None when it is malformed or outdated.

        `with_page_status` reads what `page_status()` returns in the same statement, for a request
        that renders a page; others (a form post that redirects, an API call) skip those counts.
        """
        user_id, _, version = session_id.partition(".")
        if not (user_id.isdigit() and version.isdigit()):
            return None
        if with_page_status:
            row = db.session.execute(_layout_queries().reader, {"user_id": int(user_id)}).one_or_none()
            user = None if row is None else row[0]
        else:
            user = db.session.get(User, int(user_id))
        if user is None or (user.session_version or 0) != int(version) or user.is_suspended:
            return None
        if with_page_status:
            user._loaded_page_status = (user.last_message_read_time, user.last_activity_read_time, PageStatus(*row[1:]))
        return user

    def check_password(self, password: str) -> bool:
        """Return whether the password matches the stored hash."""
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    def _password_fingerprint(self) -> str:
        return hashlib.sha256((self.password_hash or "").encode()).hexdigest()[:16]

    def get_reset_password_token(self, expires_in: int = 600) -> str:
        """Return a signed token that resets this password once, for `expires_in` seconds."""
        payload = {
            "reset_password": self.id,
            "pwd": self._password_fingerprint(),
            "exp": int(time.time()) + expires_in,
        }
        return jwt.encode(payload, current_app.config["SECRET_KEY"], algorithm="HS256")

    @staticmethod
    def verify_reset_password_token(token: str) -> Optional["User"]:
        """Return the token's user, or None for a bad, expired, used or foreign token."""
        try:
            payload = jwt.decode(token, current_app.config["SECRET_KEY"], algorithms=["HS256"])
            user_id = int(payload["reset_password"])
            fingerprint = str(payload["pwd"])
        except (jwt.InvalidTokenError, KeyError, TypeError, ValueError):
            return None
        user = db.session.get(User, user_id)
        if user is None or not secrets.compare_digest(user._password_fingerprint(), fingerprint):
            return None
        return user

    def avatar(self, size: int) -> str:
        """Return the URL of this user's picture at `size` pixels, from the configured provider.

        By default the app's own identicon (app.avatars); Gravatar's with AVATAR_PROVIDER=gravatar.
        """
        return current_app.extensions["avatars"].url(self, size)

    def avatar_source(self) -> tuple:
        """Return what this user's picture URL is made from: a cached card showing it is keyed by it."""
        return tuple(getattr(self, name) for name in current_app.extensions["avatars"].sources)

    # Follows

    def follow(self, user: "User") -> None:
        """Follow `user` (no-op when already following)."""
        if not self.is_following(user):
            self.following.add(user)
            self._change_follow_counts(user, 1)
            user.tell(ActivityKind.FOLLOW, self)

    def unfollow(self, user: "User", tell: bool = True) -> None:
        """Stop following `user` (no-op when not following); `tell=False` when their server ended it."""
        if self.is_following(user):
            self.following.remove(user)
            self._change_follow_counts(user, -1)
            if tell:
                user.untell(ActivityKind.FOLLOW, self)

    def _change_follow_counts(self, user: "User", delta: int) -> None:
        users = User.__table__
        db.session.execute(
            sa.update(users).where(users.c.id == self.id).values(following_count=users.c.following_count + delta)
        )
        db.session.execute(
            sa.update(users).where(users.c.id == user.id).values(follower_count=users.c.follower_count + delta)
        )

    def is_following(self, user: "User") -> bool:
        """Return whether this user follows `user`."""
        query = sa.select(followers.c.follower_id).where(
            followers.c.follower_id == self.id, followers.c.followed_id == user.id
        )
        return db.session.scalar(query) is not None

    def followers_count(self) -> int:
        """Return how many users follow this one (read fresh from the counter column)."""
        return db.session.scalar(sa.select(User.followers_counter).where(User.id == self.id)) or 0

    def following_count(self) -> int:
        """Return how many users this one follows (read fresh from the counter column)."""
        return db.session.scalar(sa.select(User.following_counter).where(User.id == self.id)) or 0

    def posts_count(self) -> int:
        """Return how many posts this user wrote (read fresh from the counter column)."""
        return db.session.scalar(sa.select(User.posts_counter).where(User.id == self.id)) or 0

    @staticmethod
    def total_posts(user_ids: list[int] | None = None) -> int:
        """Return how many posts these users (or all users) wrote, from the counters."""
        query = sa.select(sa.func.coalesce(sa.func.sum(User.posts_counter), 0))
        if user_ids is not None:
            query = query.where(User.id.in_(user_ids))
        return db.session.scalar(query)

    def timeline_size(self) -> int:
        """Return how many posts this user's home timeline holds (own and followed users'), from the counters."""
        return (self.posts_counter or 0) + db.session.scalar(_followed_posts_total(), {"user_id": self.id})

    def following_posts(self, size: int | None = None) -> sa.Select:
        """Return a select of this user's posts and those of followed users, newest first.

        Posts this user may not see (`Post.visible_to`: blocks, mutes, suspended accounts, and
        reposts of theirs) are left out by the same statement.

        The authors come from a subquery rather than a list of ids: the statement stays the same
        whoever reads it, so the drivers' and databases' statement caches serve every timeline.

        Two query shapes serve timelines of every density (`size`, from `timeline_size`). When the
        authors wrote few posts (fewer than SPARSE_TIMELINE), their posts are gathered through the
        (user_id, timestamp, id, ...) index and sorted. Otherwise the newest posts are read through
        the (timestamp, id, user_id, ...) index and filtered by author, which stops after one page;
        the author test is written so that it cannot use the first index, or the planner could
        switch back to the first shape, whose sort would then cover hundreds of thousands of rows.
        Both pick the page from the index alone; a page read by cursor (`Post.seek`) starts at its
        place in the second index, or gathers only the posts beyond it in the first.
        """
        size = self.timeline_size() if size is None else size
        authors = (
            sa.select(followers.c.followed_id)
            .where(followers.c.follower_id == self.id)
            .union_all(sa.select(sa.literal(self.id)))
        )
        sparse = size < SPARSE_TIMELINE
        if db.engine.dialect.name != "postgresql":
            by_author = (Post.user_id if sparse else Post.user_id + 0).in_(authors)
        elif sparse:
            # An array built once: one range of the (user_id, ...) index per author, where `IN
            # (subquery)` becomes a semi-join that compares every post scanned with every author.
            by_author = Post.user_id == sa.any_(sa.func.array(authors.scalar_subquery()))
        else:
            # `IS TRUE` keeps `IN` from becoming a semi-join: the authors are hashed once (a hashed
            # SubPlan) and each post the walk passes costs one lookup, where `= ANY(array)` compares it
            # with every author in turn (77,757-post timeline, page 50 by its number: 7.7 ms -> 3.6 ms).
            by_author = Post.user_id.in_(authors).is_(sa.true())
        return Post.newest_first(sa.select(Post).where(by_author, Post.visible_to(self)))

    # Messages and notifications

    def send_message(self, recipient: "User", body: str) -> "Message":
        """Add a message to `recipient` and update their unread count (the caller commits)."""
        message = Message(author=self, recipient=recipient, body=body.strip())
        db.session.add(message)
        db.session.flush()
        recipient.add_notification("unread_message_count", recipient.unread_message_count())
        return message

    def unread_message_count(self) -> int:
        """Return how many received messages are newer than the last read time."""
        return db.session.scalar(_layout_queries().unread_messages, self._layout_params())

    def page_status(self) -> "PageStatus":
        """Return what the layout shows on every page: unread messages and activity, running tasks.

        The figures read with the user by the session's user load (`from_session_id`) serve, unless
        this request has marked messages or activity read since; otherwise one query reads them.
        """
        loaded = self.__dict__.get("_loaded_page_status")
        if loaded is not None and loaded[:2] == (self.last_message_read_time, self.last_activity_read_time):
            return loaded[2]
        row = db.session.execute(_layout_queries().page_status, self._layout_params()).one()
        return PageStatus(unread_messages=row[0], unread_activity=row[1], tasks_running=row[2])

    def _layout_params(self) -> dict[str, Any]:
        return {
            "user_id": self.id,
            "messages_since": self.last_message_read_time or EPOCH,
            "activity_since": self.last_activity_read_time or EPOCH,
        }

    # Activity: what others did to this user's posts and account

    def tell(self, kind: str, actor: "User", post_id: int | None = None) -> None:
        """Add an activity entry for this user, unless `actor` is this user, and update the live badge.

        An account of another server is told by its server instead (app.federation): a Follow, a
        Like or an Announce for it, or the reply or mention delivered to it.
        """
        if actor.id == self.id:
            return
        if self.is_remote:
            self._tell_server(kind, actor, post_id, undone=False)
            return
        db.session.add(Activity(user_id=self.id, actor_id=actor.id, kind=kind, post_id=post_id))
        db.session.flush()
        self.add_notification("unread_activity_count", self.unread_activity_count())

    def untell(self, kind: str, actor: "User", post_id: int | None = None) -> None:
        """Remove the entry `tell` added for something `actor` took back (an unlike, an unfollow)."""
        if self.is_remote:
            self._tell_server(kind, actor, post_id, undone=True)
            return
        db.session.execute(
            sa.delete(Activity).where(
                Activity.user_id == self.id,
                Activity.actor_id == actor.id,
                Activity.kind == kind,
                Activity.post_id.is_(None) if post_id is None else Activity.post_id == post_id,
            )
        )

    def _tell_server(self, kind: str, actor: "User", post_id: int | None, undone: bool) -> None:
        federation = current_app.extensions.get("federation")
        if federation is not None:  # off, an account kept from before is told nothing
            federation.tell_server(self, kind, actor, post_id, undone)

    def unread_activity_count(self) -> int:
        """Return how many activity entries are newer than the last visit to the activity page (at most BADGE_CAP)."""
        return db.session.scalar(_layout_queries().unread_activity, self._layout_params())

    def add_notification(self, name: str, data: Any) -> "Notification":
        """Replace this user's notification called `name` with one carrying `data`."""
        db.session.execute(sa.delete(Notification).where(Notification.user_id == self.id, Notification.name == name))
        notification = Notification(name=name, payload_json=json.dumps(data), user=self, timestamp=time.time())
        db.session.add(notification)
        return notification

    # Background tasks

    def launch_task(self, name: str, description: str, *args: Any, **kwargs: Any) -> "Task":
        """Record a task for this user and start `app.tasks.<name>(self.id, *args, **kwargs)` after the commit.

        The app's task runner (`current_app.extensions["tasks"]`) commits the Task row and starts the job.
        """
        return current_app.extensions["tasks"].launch(self, name, description, *args, **kwargs)

    def get_tasks_in_progress(self) -> list["Task"]:
        """Return this user's tasks that are neither complete nor failed (stale ones become failed)."""
        query = self.tasks.select().where(Task.in_progress())
        tasks = list(db.session.scalars(query.order_by(Task.created_at)))
        return [task for task in tasks if not task.fail_if_stale()]

    def get_task_in_progress(self, name: str) -> Optional["Task"]:
        """Return this user's running task called `name`, if any."""
        return next((task for task in self.get_tasks_in_progress() if task.name == name), None)

    def get_last_task(self, name: str) -> Optional["Task"]:
        """Return this user's most recent task called `name`, finished or not."""
        query = self.tasks.select().where(Task.name == name).order_by(Task.created_at.desc()).limit(1)
        return db.session.scalar(query)

    # API representation and tokens

    def to_dict(self, include_email: bool = False) -> dict[str, Any]:
        """Return the API representation of this user (the API's User schema); `email` only when asked."""
        return super().to_dict(include=("email",) if include_email else ())

    def from_dict(self, data: dict[str, Any], new_user: bool = False) -> None:
        """Copy the writable fields present in `data`; a new user also gets the password."""
        for field in ("username", "email", "about_me"):
            if field in data:
                setattr(self, field, data[field])
        if new_user and "password" in data:
            self.set_password(data["password"])

    def get_token(self, expires_in: int = 3600) -> str:
        """Return the API token, reusing one that stays valid for over a minute."""
        now = utcnow()
        if self.token and self.token_expiration and self.token_expiration > now + timedelta(seconds=60):
            return self.token
        self.token = secrets.token_hex(16)
        self.token_expiration = now + timedelta(seconds=expires_in)
        db.session.add(self)
        return self.token

    def revoke_token(self) -> None:
        """Expire the API token at once."""
        self.token_expiration = utcnow() - timedelta(seconds=1)

    @staticmethod
    def check_token(token: str) -> Optional["User"]:
        """Return the user owning this unexpired token, or None (also for a suspended account)."""
        if not token:
            return None
        user = db.session.scalar(sa.select(User).where(User.token == token))
        if user is None or user.is_suspended or user.token_expiration is None or user.token_expiration < utcnow():
            return None
        return user
