"""user is_admin

Revision ID: bf275a71cb6e
Revises: 78612283e3f8
Create Date: 2026-11-23 15:00:13.484699

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "bf275a71cb6e"
down_revision = "78612283e3f8"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: every database (SQLite included) adds a column with a constant default in place.
    op.add_column("user", sa.Column("is_admin", sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("is_admin")

