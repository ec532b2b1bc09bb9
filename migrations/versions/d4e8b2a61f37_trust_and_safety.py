"""trust and safety: roles, confirmation, suspension, two-factor, blocks, mutes, reports, audit log

Revision ID: d4e8b2a61f37
Revises: c0a1e5d7f2b9
Create Date: 2026-12-02 18:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d4e8b2a61f37"
down_revision = "c0a1e5d7f2b9"
branch_labels = None
depends_on = None

user = sa.table("user", sa.column("role"), sa.column("is_admin"), sa.column("confirmed"))
message = sa.table("message", sa.column("sender_id"), sa.column("recipient_id"))


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=16), server_default="user", nullable=False))
        batch_op.add_column(sa.Column("confirmed", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("pending_email", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("suspended_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
    # Accounts made before confirmation existed keep working; administrators keep their powers.
    op.execute(sa.update(user).values(confirmed=True))
    op.execute(sa.update(user).where(user.c.is_admin == sa.true()).values(role="administrator"))
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("is_admin")

    # A deleted account's messages stay with the other party, from or to "deleted account".
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_constraint("fk_message_sender_id_user", type_="foreignkey")
        batch_op.drop_constraint("fk_message_recipient_id_user", type_="foreignkey")
        batch_op.alter_column("sender_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("recipient_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key("fk_message_sender_id_user", "user", ["sender_id"], ["id"], ondelete="SET NULL")
        batch_op.create_foreign_key(
            "fk_message_recipient_id_user", "user", ["recipient_id"], ["id"], ondelete="SET NULL"
        )

    op.create_table(
        "block",
        sa.Column("blocker_id", sa.Integer(), nullable=False),
        sa.Column("blocked_id", sa.Integer(), nullable=False),
        sa.Column("timestamp", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["blocker_id"], ["user.id"], name="fk_block_blocker_id_user", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["blocked_id"], ["user.id"], name="fk_block_blocked_id_user", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("blocker_id", "blocked_id", name="pk_block"),
    )
    op.create_index("ix_block_blocked_id_blocker_id", "block", ["blocked_id", "blocker_id"], unique=False)

    op.create_table(
        "mute",
        sa.Column("muter_id", sa.Integer(), nullable=False),
        sa.Column("muted_id", sa.Integer(), nullable=False),
        sa.Column("timestamp", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["muter_id"], ["user.id"], name="fk_mute_muter_id_user", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["muted_id"], ["user.id"], name="fk_mute_muted_id_user", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("muter_id", "muted_id", name="pk_mute"),
    )
    op.create_index("ix_mute_muted_id", "mute", ["muted_id"], unique=False)

    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("reported_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["reporter_id"], ["user.id"], name="fk_report_reporter_id_user", ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["reported_id"], ["user.id"], name="fk_report_reported_id_user", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], name="fk_report_post_id_post", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["user.id"], name="fk_report_resolved_by_id_user", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_report"),
    )
    op.create_index("ix_report_status_created_at", "report", ["status", "created_at"], unique=False)
    op.create_index("ix_report_reported_id", "report", ["reported_id"], unique=False)
    op.create_index("ix_report_post_id", "report", ["post_id"], unique=False)
    op.create_index("ix_report_reporter_id", "report", ["reporter_id"], unique=False)

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("target_name", sa.String(length=64), nullable=True),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("timestamp", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"], name="fk_audit_entry_actor_id_user", ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["target_id"], ["user.id"], name="fk_audit_entry_target_id_user", ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name="fk_audit_entry_report_id_report", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audit_entry"),
    )
    op.create_index("ix_audit_entry_timestamp", "audit_entry", ["timestamp"], unique=False)

    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name="fk_recovery_code_user_id_user", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_recovery_code"),
    )
    op.create_index("ix_recovery_code_user_id", "recovery_code", ["user_id"], unique=False)


def downgrade():
    op.drop_table("recovery_code")
    op.drop_table("audit_entry")
    op.drop_table("report")
    op.drop_table("mute")
    op.drop_table("block")

    # The older schema needs both ends of a message: those of deleted accounts go.
    op.execute(sa.delete(message).where(sa.or_(message.c.sender_id.is_(None), message.c.recipient_id.is_(None))))
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_constraint("fk_message_sender_id_user", type_="foreignkey")
        batch_op.drop_constraint("fk_message_recipient_id_user", type_="foreignkey")
        batch_op.alter_column("sender_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("recipient_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key("fk_message_sender_id_user", "user", ["sender_id"], ["id"], ondelete="CASCADE")
        batch_op.create_foreign_key(
            "fk_message_recipient_id_user", "user", ["recipient_id"], ["id"], ondelete="CASCADE"
        )

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_admin", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(sa.update(user).where(user.c.role == "administrator").values(is_admin=True))
    with op.batch_alter_table("user", schema=None) as batch_op:
        for column in ("totp_secret", "suspended_at", "pending_email", "confirmed", "role"):
            batch_op.drop_column(column)
