"""user follow counters

Revision ID: 8dd1b6f6d822
Revises: f15518f8829e
Create Date: 2026-11-23 15:48:20.018951

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8dd1b6f6d822'
down_revision = 'f15518f8829e'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("user", sa.Column("follower_count", sa.Integer(), server_default="0", nullable=False))
    op.add_column("user", sa.Column("following_count", sa.Integer(), server_default="0", nullable=False))
    # Count the follows that exist already; from now on follow()/unfollow() keep the counters.
    user = sa.table("user", sa.column("id"), sa.column("follower_count"), sa.column("following_count"))
    followers = sa.table("followers", sa.column("follower_id"), sa.column("followed_id"))
    op.execute(
        sa.update(user).values(
            follower_count=sa.select(sa.func.count()).where(followers.c.followed_id == user.c.id).scalar_subquery(),
            following_count=sa.select(sa.func.count()).where(followers.c.follower_id == user.c.id).scalar_subquery(),
        )
    )


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("following_count")
        batch_op.drop_column("follower_count")
