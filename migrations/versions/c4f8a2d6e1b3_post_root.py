"""post root: each reply names the first post of its thread, indexed with (timestamp, id, user_id, repost_of_user_id)

Revision ID: c4f8a2d6e1b3
Revises: b6d1f4a8c2e9
Create Date: 2026-12-07 12:00:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "c4f8a2d6e1b3"
down_revision = "b6d1f4a8c2e9"
branch_labels = None
depends_on = None

post = sa.table("post", sa.column("id"), sa.column("in_reply_to_id"), sa.column("root_id"))
parent = post.alias("parent")


def upgrade():
    op.add_column("post", sa.Column("root_id", sa.Integer(), nullable=True))
    # One level of the threads per pass, from their first posts down: a reply takes its parent's
    # root (or the parent itself, for a first post) once the parent has its own. UPDATE ... FROM (a
    # multi-table UPDATE on MariaDB, which refuses a subquery on the updated table).
    step = (
        sa.update(post)
        .where(
            post.c.in_reply_to_id == parent.c.id,
            post.c.root_id.is_(None),
            sa.or_(parent.c.in_reply_to_id.is_(None), parent.c.root_id.is_not(None)),
        )
        .values(root_id=sa.func.coalesce(parent.c.root_id, parent.c.id))
    )
    connection = op.get_bind()
    while connection.execute(step).rowcount:
        pass
    op.create_index(
        "ix_post_root_id_timestamp_id_user_id_repost_of_user_id",
        "post",
        ["root_id", "timestamp", "id", "user_id", "repost_of_user_id"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_post_root_id_timestamp_id_user_id_repost_of_user_id", table_name="post")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_column("root_id")
