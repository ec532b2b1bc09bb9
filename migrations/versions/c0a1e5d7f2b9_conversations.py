"""conversations: replies, reposts, likes, mentions, hashtags and activity

Revision ID: c0a1e5d7f2b9
Revises: 3c5e0a9d7b21
Create Date: 2026-12-02 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = "c0a1e5d7f2b9"
down_revision = "3c5e0a9d7b21"
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
    with op.batch_alter_table("post", schema=None) as batch_op:
        # NULL for a tombstone: a deleted post kept for its replies.
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("in_reply_to_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("repost_of_id", sa.Integer(), nullable=True))
        for counter in ("replies_count", "likes_count", "reposts_count"):
            batch_op.add_column(sa.Column(counter, sa.Integer(), server_default="0", nullable=False))
        batch_op.create_foreign_key(
            "fk_post_in_reply_to_id_post", "post", ["in_reply_to_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_foreign_key("fk_post_repost_of_id_post", "post", ["repost_of_id"], ["id"], ondelete="CASCADE")
        batch_op.create_index("ix_post_in_reply_to_id_timestamp", ["in_reply_to_id", "timestamp"], unique=False)
        batch_op.create_unique_constraint("uq_post_repost_of_id_user_id", ["repost_of_id", "user_id"])
    restore_search_triggers()

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_activity_read_time", sa.DateTime(), nullable=True))

    op.create_table(
        "post_like",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("timestamp", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], name="fk_post_like_post_id_post", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name="fk_post_like_user_id_user", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "post_id", name="pk_post_like"),
    )
    op.create_index("ix_post_like_post_id", "post_like", ["post_id"], unique=False)

    op.create_table(
        "mention",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], name="fk_mention_post_id_post", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name="fk_mention_user_id_user", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("post_id", "user_id", name="pk_mention"),
    )
    op.create_index("ix_mention_user_id", "mention", ["user_id"], unique=False)

    op.create_table(
        "post_tag",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.Column("timestamp", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], name="fk_post_tag_post_id_post", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("post_id", "tag", name="pk_post_tag"),
    )
    op.create_index("ix_post_tag_tag_timestamp_post_id", "post_tag", ["tag", "timestamp", "post_id"], unique=False)
    op.create_index("ix_post_tag_timestamp", "post_tag", ["timestamp"], unique=False)

    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("timestamp", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"], name="fk_activity_actor_id_user", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], name="fk_activity_post_id_post", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name="fk_activity_user_id_user", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_activity"),
    )
    op.create_index("ix_activity_user_id_timestamp", "activity", ["user_id", "timestamp"], unique=False)
    op.create_index("ix_activity_post_id", "activity", ["post_id"], unique=False)
    op.create_index("ix_activity_actor_id", "activity", ["actor_id"], unique=False)


def downgrade():
    op.drop_table("activity")
    op.drop_table("post_tag")
    op.drop_table("mention")
    op.drop_table("post_like")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("last_activity_read_time")

    # The older schema has neither reposts nor tombstones: they go, and the post counters are recounted.
    post = sa.table("post", sa.column("id"), sa.column("user_id"), sa.column("repost_of_id"))
    op.execute(sa.delete(post).where(sa.or_(post.c.repost_of_id.is_not(None), post.c.user_id.is_(None))))
    user = sa.table("user", sa.column("id"), sa.column("post_count"))
    op.execute(
        sa.update(user).values(post_count=sa.select(sa.func.count()).where(post.c.user_id == user.c.id).scalar_subquery())
    )
    with op.batch_alter_table("post", schema=None) as batch_op:
        # The foreign keys first: MariaDB keeps using the indexes that start with their columns.
        batch_op.drop_constraint("fk_post_repost_of_id_post", type_="foreignkey")
        batch_op.drop_constraint("fk_post_in_reply_to_id_post", type_="foreignkey")
        batch_op.drop_constraint("uq_post_repost_of_id_user_id", type_="unique")
        batch_op.drop_index("ix_post_in_reply_to_id_timestamp")
        for column in ("reposts_count", "likes_count", "replies_count", "repost_of_id", "in_reply_to_id"):
            batch_op.drop_column(column)
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
    restore_search_triggers()
