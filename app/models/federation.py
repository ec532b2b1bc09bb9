"""What federation (app.federation) keeps: local accounts' key pairs, remote actors, who follows from afar."""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class ActorKey(db.Model):
    """An account's RSA key pair: the public half is published in its actor, the private half signs.

    The private key is stored sealed (encrypted and authenticated) under a key derived from the
    app's SECRET_KEY, so a copy of the database alone cannot sign as anyone (app.federation.keys).
    """

    __tablename__ = "actor_key"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    public_key_pem: so.Mapped[str] = so.mapped_column(sa.Text)
    private_key_sealed: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class InstanceKey(db.Model):
    """The server's own key pair (one row): its instance actor signs fetches and forwarded reports with it.

    Sealed as accounts' keys are (app.federation.keys).
    """

    __tablename__ = "instance_key"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    public_key_pem: so.Mapped[str] = so.mapped_column(sa.Text)
    private_key_sealed: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class RemoteActor(db.Model):
    """An account on another server, as its actor document said when it was last fetched.

    Kept so that its key is fetched once (to check its signatures) and its inbox known (to deliver
    to it); `key_id` is the URL its signatures name (`keyId`), usually the actor's URL with `#main-key`.
    """

    __tablename__ = "remote_actor"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    uri: so.Mapped[str] = so.mapped_column(sa.String(512), unique=True)
    key_id: so.Mapped[str] = so.mapped_column(sa.String(512), unique=True)
    public_key_pem: so.Mapped[str] = so.mapped_column(sa.Text)
    domain: so.Mapped[str] = so.mapped_column(sa.String(255), index=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64))
    inbox: so.Mapped[str] = so.mapped_column(sa.String(512))
    shared_inbox: so.Mapped[Optional[str]] = so.mapped_column(sa.String(512))
    fetched_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Its account in the site (a `user` row with a domain), made when someone here looks it up or follows it.
    user_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True, unique=True
    )


class RemoteFollower(db.Model):
    """A remote actor follows a local account; `follow_uri` is the id of the Follow it sent (Undo names it)."""

    __tablename__ = "remote_follower"
    __table_args__ = (sa.Index("ix_remote_follower_actor_id", "actor_id"),)

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    actor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("remote_actor.id", ondelete="CASCADE"), primary_key=True)
    follow_uri: so.Mapped[str] = so.mapped_column(sa.String(512))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class ReceivedActivity(db.Model):
    """The id of an activity the inbox took: the same activity delivered again changes nothing."""

    __tablename__ = "received_activity"

    uri: so.Mapped[str] = so.mapped_column(sa.String(512), primary_key=True)
    received_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)


class DomainBlock(db.Model):
    """A server this one does not federate with: its deliveries are refused and nothing is sent to it."""

    __tablename__ = "domain_block"

    # The host as URLs name it (with its port, if any), lower-cased.
    domain: so.Mapped[str] = so.mapped_column(sa.String(255), primary_key=True)
    reason: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class FailedDelivery(db.Model):
    """A delivery whose last attempt failed: kept until `flask federation deliver --retry` sends it again."""

    __tablename__ = "failed_delivery"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    sender_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    inbox: so.Mapped[str] = so.mapped_column(sa.String(512))
    activity: so.Mapped[str] = so.mapped_column(sa.Text)  # the activity's JSON
    error: so.Mapped[str] = so.mapped_column(sa.String(300))
    failed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
