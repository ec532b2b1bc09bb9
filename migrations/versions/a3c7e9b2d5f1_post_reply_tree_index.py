"""post reply index: (in_reply_to_id, timestamp, id, user_id, repost_of_user_id) replaces (in_reply_to_id, timestamp)

Revision ID: a3c7e9b2d5f1
Revises: d8f2a6c4e1b7
Create Date: 2026-12-07 01:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "a3c7e9b2d5f1"
down_revision = "d8f2a6c4e1b7"
branch_labels = None
depends_on = None


def upgrade():
    # With the id, the author and the reposted post's author in it, a thread's tree is walked, ordered
    # and checked against the reader's blocks and mutes from the index alone. Created before the old
    # one goes: MariaDB keeps an index on the in_reply_to_id foreign key at all times.
    op.create_index(
        "ix_post_in_reply_to_id_timestamp_id_user_id_repost_of_user_id",
        "post",
        ["in_reply_to_id", "timestamp", "id", "user_id", "repost_of_user_id"],
        unique=False,
    )
    op.drop_index("ix_post_in_reply_to_id_timestamp", table_name="post")


def downgrade():
    op.create_index("ix_post_in_reply_to_id_timestamp", "post", ["in_reply_to_id", "timestamp"], unique=False)
    op.drop_index("ix_post_in_reply_to_id_timestamp_id_user_id_repost_of_user_id", table_name="post")
