"""user.created_at: when an account was made, for the administrator overview's sign-ups

Revision ID: e7a3c9d05b14
Revises: a9d3f1c7e5b2
Create Date: 2026-12-03 17:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e7a3c9d05b14"
down_revision = "a9d3f1c7e5b2"
branch_labels = None
depends_on = None


def upgrade():
    # Existing accounts stay NULL: when they were made is not known.
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_at", sa.DateTime(), nullable=True))
        # Sign-ups per day read a range of this column.
        batch_op.create_index("ix_user_created_at", ["created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_index("ix_user_created_at")
        batch_op.drop_column("created_at")
