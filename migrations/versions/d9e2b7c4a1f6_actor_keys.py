"""actor keys: each account's RSA key pair for federation, the private half sealed under SECRET_KEY

Revision ID: d9e2b7c4a1f6
Revises: c4f8a2d6e1b3
Create Date: 2026-12-07 13:41:42.838645

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d9e2b7c4a1f6"
down_revision = "c4f8a2d6e1b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "actor_key",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("public_key_pem", sa.Text(), nullable=False),
        sa.Column("private_key_sealed", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_actor_key_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_actor_key")),
    )


def downgrade():
    op.drop_table("actor_key")
