"""instance key: the server's own key pair, with which its instance actor signs fetches and forwarded reports

Revision ID: c9e5a3b7d1f2
Revises: b8d4f2a6c9e1
Create Date: 2026-12-07 17:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c9e5a3b7d1f2"
down_revision = "b8d4f2a6c9e1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "instance_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_key_pem", sa.Text(), nullable=False),
        sa.Column("private_key_sealed", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance_key")),
    )


def downgrade():
    op.drop_table("instance_key")
