"""What federation (app.federation) keeps about local accounts: the key pair each one signs with."""

from datetime import datetime

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
