"""An image attached to a post (or uploaded and waiting for its post)."""

import secrets
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

# Images one post carries at most.
MAX_PER_POST = 4
# Characters of alt text at most.
MAX_ALT_LENGTH = 1500
# The file variants stored for each image.
VARIANTS = ("original", "preview")


def new_key() -> str:
    """Return a random, unguessable key (22 URL-safe characters) naming an image's files."""
    return secrets.token_urlsafe(16)


class Media(db.Model):
    """An uploaded image: its files live in the media storage (app.media), under names made from `key`.

    It belongs to its uploader from the start and to a post once attached (`post_id`, `position`
    0-3); until then it is unattached, and `flask media prune` removes it after a day.
    """

    __table_args__ = (
        # A post's images in order (cards, the API), and the unattached ones (post_id IS NULL).
        sa.Index("ix_media_post_id_position", "post_id", "position"),
        # An account's images (account deletion, attaching).
        sa.Index("ix_media_user_id", "user_id"),
        # The prune's scan of old unattached images.
        sa.Index("ix_media_created_at", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True, default=new_key)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    post_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("post.id", ondelete="SET NULL"))
    position: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    alt_text: so.Mapped[str] = so.mapped_column(sa.String(MAX_ALT_LENGTH))
    # Of both stored variants (they share one format): image/jpeg or image/png.
    content_type: so.Mapped[str] = so.mapped_column(sa.String(32))
    # Of the original, after its EXIF orientation is applied.
    width: so.Mapped[int] = so.mapped_column()
    height: so.Mapped[int] = so.mapped_column()
    size: so.Mapped[int] = so.mapped_column()
    preview_size: so.Mapped[int] = so.mapped_column()
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Media {self.key}>"

    @property
    def extension(self) -> str:
        return extension_of(self.content_type)

    def file_name(self, variant: str) -> str:
        """Return the storage name of one variant ("original" or "preview")."""
        return file_name(self.key, variant, self.extension)

    @property
    def file_names(self) -> list[str]:
        return [self.file_name(variant) for variant in VARIANTS]


def extension_of(content_type: str) -> str:
    """Return the file extension of a stored content type (image/png or image/jpeg)."""
    return "png" if content_type == "image/png" else "jpg"


def file_name(key: str, variant: str, extension: str) -> str:
    """Return the storage name of an image's variant: `<key>-<variant>.<extension>`."""
    return f"{key}-{variant}.{extension}"
