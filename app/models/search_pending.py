"""Index changes waiting for a search backend outside the database."""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class SearchPending(db.Model):
    """One add or remove that the search backend has not confirmed yet."""

    __tablename__ = "search_pending"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    index_name: so.Mapped[str] = so.mapped_column(sa.String(64))
    object_id: so.Mapped[int] = so.mapped_column(sa.Integer)
    # "add" or "remove"; the current row content is read again when an add is replayed.
    operation: so.Mapped[str] = so.mapped_column(sa.String(8))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
