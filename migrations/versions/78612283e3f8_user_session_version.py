"""user session version

Revision ID: 78612283e3f8
Revises: 14a31619971f
Create Date: 2026-11-23 14:51:26.039800

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "78612283e3f8"
down_revision = "14a31619971f"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: every database (SQLite included) adds a column with a constant default in place.
    op.add_column("user", sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))



def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("session_version")

