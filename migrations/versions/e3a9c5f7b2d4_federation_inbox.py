"""federation inbox: remote actors and their keys, remote followers, the ids of activities taken

Revision ID: e3a9c5f7b2d4
Revises: d9e2b7c4a1f6
Create Date: 2026-12-07 13:51:11.507672

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e3a9c5f7b2d4"
down_revision = "d9e2b7c4a1f6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "received_activity",
        sa.Column("uri", sa.String(length=512), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("uri", name=op.f("pk_received_activity")),
    )
    op.create_index(op.f("ix_received_activity_received_at"), "received_activity", ["received_at"])
    op.create_table(
        "remote_actor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uri", sa.String(length=512), nullable=False),
        sa.Column("key_id", sa.String(length=512), nullable=False),
        sa.Column("public_key_pem", sa.Text(), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("inbox", sa.String(length=512), nullable=False),
        sa.Column("shared_inbox", sa.String(length=512), nullable=True),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remote_actor")),
        sa.UniqueConstraint("key_id", name=op.f("uq_remote_actor_key_id")),
        sa.UniqueConstraint("uri", name=op.f("uq_remote_actor_uri")),
    )
    op.create_index(op.f("ix_remote_actor_domain"), "remote_actor", ["domain"])
    op.create_table(
        "remote_follower",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("follow_uri", sa.String(length=512), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["remote_actor.id"], name=op.f("fk_remote_follower_actor_id_remote_actor"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_remote_follower_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "actor_id", name=op.f("pk_remote_follower")),
    )
    op.create_index("ix_remote_follower_actor_id", "remote_follower", ["actor_id"])


def downgrade():
    # A table's indexes go with it (MariaDB refuses to drop an index a foreign key still needs).
    op.drop_table("remote_follower")
    op.drop_table("remote_actor")
    op.drop_table("received_activity")
