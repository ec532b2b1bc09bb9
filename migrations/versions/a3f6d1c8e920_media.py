"""media: images on posts (app.media)

Revision ID: a3f6d1c8e920
Revises: e7b3c9a4d215
Create Date: 2026-12-03 19:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a3f6d1c8e920"
down_revision = "e7b3c9a4d215"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("alt_text", sa.String(length=1500), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("preview_size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name="fk_media_user_id_user", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], name="fk_media_post_id_post", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_media"),
        sa.UniqueConstraint("key", name="uq_media_key"),
    )
    op.create_index("ix_media_post_id_position", "media", ["post_id", "position"], unique=False)
    op.create_index("ix_media_user_id", "media", ["user_id"], unique=False)
    op.create_index("ix_media_created_at", "media", ["created_at"], unique=False)


def downgrade():
    # The indexes go with the table (MariaDB refuses to drop one a foreign key still needs).
    op.drop_table("media")
