"""post timeline index: (timestamp, id, user_id) replaces (timestamp)

Revision ID: 3c5e0a9d7b21
Revises: 8dd1b6f6d822
Create Date: 2026-11-23 17:05:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3c5e0a9d7b21'
down_revision = '8dd1b6f6d822'
branch_labels = None
depends_on = None


def upgrade():
    # The new index starts with timestamp, so it serves every query the old one did; with id and
    # user_id in it, a timeline page is located from the index alone (Post.fetch_page).
    op.create_index("ix_post_timestamp_id_user_id", "post", ["timestamp", "id", "user_id"], unique=False)
    op.drop_index("ix_post_timestamp", table_name="post")


def downgrade():
    op.create_index("ix_post_timestamp", "post", ["timestamp"], unique=False)
    op.drop_index("ix_post_timestamp_id_user_id", table_name="post")
