"""user.avatar_key: the key of an uploaded profile picture's files (NULL: the generated one)

Revision ID: c5e1a8f3d9b6
Revises: b7d2f4a9c1e3
Create Date: 2026-12-07 10:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c5e1a8f3d9b6"
down_revision = "b7d2f4a9c1e3"
branch_labels = None
depends_on = None


def upgrade():
    # Every existing account keeps its generated picture (NULL). The unique constraint's index also
    # serves `flask media prune`, which asks which stored keys are live pictures.
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("avatar_key", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint("uq_user_avatar_key", ["avatar_key"])


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint("uq_user_avatar_key", type_="unique")
        batch_op.drop_column("avatar_key")
