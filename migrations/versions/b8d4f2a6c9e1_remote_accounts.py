"""remote accounts: users of other servers as user rows (with a domain, no email), their notes as posts

Revision ID: b8d4f2a6c9e1
Revises: a7c3e9f1d5b8
Create Date: 2026-12-07 16:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b8d4f2a6c9e1"
down_revision = "a7c3e9f1d5b8"
branch_labels = None
depends_on = None

# SQLite's batch mode rebuilds the post table, and its full-text triggers go with the old one:
# they are made again afterwards (a frozen copy of the search migration's statements).
SQLITE_SEARCH_TRIGGERS = [
    "CREATE TRIGGER post_fts_insert AFTER INSERT ON post BEGIN "
    "INSERT INTO post_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER post_fts_delete AFTER DELETE ON post BEGIN "
    "INSERT INTO post_fts(post_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER post_fts_update AFTER UPDATE OF search_text ON post BEGIN "
    "INSERT INTO post_fts(post_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO post_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]


def restore_search_triggers():
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_SEARCH_TRIGGERS:
            op.execute(statement)


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("domain", sa.String(length=255), nullable=True))
        batch_op.alter_column("email", existing_type=sa.String(length=120), nullable=True)
        # A remote account is named name@host. MariaDB's MODIFY restates the whole column: hence existing_nullable.
        batch_op.alter_column(
            "username", existing_type=sa.String(length=64), type_=sa.String(length=128), existing_nullable=False
        )
        batch_op.create_index(batch_op.f("ix_user_domain"), ["domain"])
    with op.batch_alter_table("post", schema=None) as batch_op:
        # Local posts stay at 140 characters (the forms and the API say so); other servers' notes are longer.
        batch_op.alter_column("body", existing_type=sa.String(length=140), type_=sa.Text(), existing_nullable=False)
        batch_op.add_column(sa.Column("uri", sa.String(length=512), nullable=True))
        batch_op.create_index(batch_op.f("ix_post_uri"), ["uri"], unique=True)
    restore_search_triggers()
    with op.batch_alter_table("remote_actor", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_remote_actor_user_id"), ["user_id"], unique=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_remote_actor_user_id_user"), "user", ["user_id"], ["id"], ondelete="CASCADE"
        )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.alter_column(
            "target_name", existing_type=sa.String(length=64), type_=sa.String(length=128), existing_nullable=True
        )


def downgrade():
    # Remote accounts and their notes cannot live in the narrower columns: they go first.
    remote = sa.table("user", sa.column("domain", sa.String))
    op.execute(sa.delete(remote).where(remote.c.domain.is_not(None)))
    audit = sa.table("audit_entry", sa.column("target_name", sa.String))
    op.execute(
        sa.update(audit)
        .where(sa.func.length(audit.c.target_name) > 64)
        .values(target_name=sa.func.substr(audit.c.target_name, 1, 64))
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.alter_column(
            "target_name", existing_type=sa.String(length=128), type_=sa.String(length=64), existing_nullable=True
        )
    with op.batch_alter_table("remote_actor", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_remote_actor_user_id_user"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_remote_actor_user_id"))
        batch_op.drop_column("user_id")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_uri"))
        batch_op.drop_column("uri")
        batch_op.alter_column("body", existing_type=sa.Text(), type_=sa.String(length=140), existing_nullable=False)
    restore_search_triggers()
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_domain"))
        batch_op.alter_column(
            "username", existing_type=sa.String(length=128), type_=sa.String(length=64), existing_nullable=False
        )
        batch_op.alter_column("email", existing_type=sa.String(length=120), nullable=False)
        batch_op.drop_column("domain")
