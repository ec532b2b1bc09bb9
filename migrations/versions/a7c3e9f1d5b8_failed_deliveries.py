"""failed deliveries: what other servers could not be sent, kept for flask federation deliver --retry

Revision ID: a7c3e9f1d5b8
Revises: f4b8d2e6a9c1
Create Date: 2026-12-07 14:35:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c3e9f1d5b8"
down_revision = "f4b8d2e6a9c1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "failed_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("inbox", sa.String(length=512), nullable=False),
        sa.Column("activity", sa.Text(), nullable=False),
        sa.Column("error", sa.String(length=300), nullable=False),
        sa.Column("failed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["user.id"], name=op.f("fk_failed_delivery_sender_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failed_delivery")),
    )
    op.create_index(op.f("ix_failed_delivery_failed_at"), "failed_delivery", ["failed_at"])
    op.create_index(op.f("ix_failed_delivery_sender_id"), "failed_delivery", ["sender_id"])


def downgrade():
    # Its indexes go with it (MariaDB refuses to drop an index a foreign key still needs).
    op.drop_table("failed_delivery")
