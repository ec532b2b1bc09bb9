"""visibility: a repost's original author on its row, in the timeline index; an index on user.suspended_at

Revision ID: e7b3c9a4d215
Revises: e7a3c9d05b14
Create Date: 2026-12-03 17:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e7b3c9a4d215"
down_revision = "e7a3c9d05b14"
branch_labels = None
depends_on = None

post = sa.table("post", sa.column("id"), sa.column("user_id"), sa.column("repost_of_id"), sa.column("repost_of_user_id"))


def upgrade():
    # Nullable, no foreign key: the visibility rule reads it on the repost's own row (app.models.visibility).
    op.add_column("post", sa.Column("repost_of_user_id", sa.Integer(), nullable=True))
    original = post.alias("original")
    # UPDATE ... FROM (a multi-table UPDATE on MariaDB, which refuses a subquery on the updated table).
    op.execute(
        sa.update(post).where(post.c.repost_of_id == original.c.id).values(repost_of_user_id=original.c.user_id)
    )
    # The timeline index gains the column, so a page and its visibility are still read from the index alone.
    op.create_index(
        "ix_post_timestamp_id_user_id_repost_of_user_id",
        "post",
        ["timestamp", "id", "user_id", "repost_of_user_id"],
        unique=False,
    )
    op.drop_index("ix_post_timestamp_id_user_id", table_name="post")
    op.create_index("ix_user_suspended_at", "user", ["suspended_at"], unique=False)


def downgrade():
    op.drop_index("ix_user_suspended_at", table_name="user")
    op.create_index("ix_post_timestamp_id_user_id", "post", ["timestamp", "id", "user_id"], unique=False)
    op.drop_index("ix_post_timestamp_id_user_id_repost_of_user_id", table_name="post")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_column("repost_of_user_id")
