"""user totp last step

Revision ID: a9d3f1c7e5b2
Revises: d4e8b2a61f37
Create Date: 2026-12-03 18:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a9d3f1c7e5b2"
down_revision = "d4e8b2a61f37"
branch_labels = None
depends_on = None


def upgrade():
    # The time step of the last two-factor code accepted, so that no code signs in twice.
    op.add_column("user", sa.Column("totp_last_step", sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
