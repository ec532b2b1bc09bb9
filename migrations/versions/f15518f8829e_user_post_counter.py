"""user post counter

Revision ID: f15518f8829e
Revises: bf275a71cb6e
Create Date: 2026-11-23 15:41:03.354958

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "f15518f8829e"
down_revision = "bf275a71cb6e"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("user", sa.Column("post_count", sa.Integer(), server_default="0", nullable=False))
    # Count the posts that exist already; from now on the app keeps the counter.
    user = sa.table("user", sa.column("id"), sa.column("post_count"))
    post = sa.table("post", sa.column("user_id"))
    count = sa.select(sa.func.count()).where(post.c.user_id == user.c.id).scalar_subquery()
    op.execute(sa.update(user).values(post_count=count))


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("post_count")
