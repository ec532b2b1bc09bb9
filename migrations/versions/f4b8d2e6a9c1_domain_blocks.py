"""domain blocks: servers this one does not federate with

Revision ID: f4b8d2e6a9c1
Revises: e3a9c5f7b2d4
Create Date: 2026-12-07 14:08:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f4b8d2e6a9c1"
down_revision = "e3a9c5f7b2d4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "domain_block",
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.String(length=200), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("domain", name=op.f("pk_domain_block")),
    )


def downgrade():
    op.drop_table("domain_block")
