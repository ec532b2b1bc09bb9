"""post.media_count: how many images a post carries, so that pages without any skip the media query

Revision ID: b7d2f4a9c1e3
Revises: a3f6d1c8e920
Create Date: 2026-12-06 14:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b7d2f4a9c1e3"
down_revision = "a3f6d1c8e920"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("post", sa.Column("media_count", sa.Integer(), server_default="0", nullable=False))
    media = sa.table("media", sa.column("post_id", sa.Integer()))
    post = sa.table("post", sa.column("id", sa.Integer()), sa.column("media_count", sa.Integer()))
    attached = sa.select(sa.func.count()).select_from(media).where(media.c.post_id == post.c.id).scalar_subquery()
    op.execute(post.update().where(post.c.id.in_(sa.select(media.c.post_id))).values(media_count=attached))


def downgrade():
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_column("media_count")
