"""post author index: (user_id, timestamp, id, repost_of_user_id) replaces (user_id, timestamp)

Revision ID: d8f2a6c4e1b7
Revises: c5e1a8f3d9b6
Create Date: 2026-12-06 22:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "d8f2a6c4e1b7"
down_revision = "c5e1a8f3d9b6"
branch_labels = None
depends_on = None


def upgrade():
    # With the id and the reposted post's author in it, a sparse timeline gathers its authors' posts,
    # and checks them against the reader's blocks and mutes, from the index alone. Created before the
    # old one goes: MariaDB keeps an index on the user_id foreign key at all times.
    op.create_index(
        "ix_post_user_id_timestamp_id_repost_of_user_id",
        "post",
        ["user_id", "timestamp", "id", "repost_of_user_id"],
        unique=False,
    )
    op.drop_index("ix_post_user_id_timestamp", table_name="post")


def downgrade():
    op.create_index("ix_post_user_id_timestamp", "post", ["user_id", "timestamp"], unique=False)
    op.drop_index("ix_post_user_id_timestamp_id_repost_of_user_id", table_name="post")
