"""search index: post.search_text, the database full-text index and search_pending

Revision ID: 14a31619971f
Revises: 8e4719212386
Create Date: 2026-11-23 14:40:50.989709

"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "14a31619971f"
down_revision = "8e4719212386"
branch_labels = None
depends_on = None

# A frozen copy of the statements in app/search/backends/database.py as of this revision.
DDL = {
    "sqlite": [
        "CREATE VIRTUAL TABLE post_fts USING fts5(search_text, content='post', content_rowid='id', "
        "tokenize='unicode61')",
        "CREATE TRIGGER post_fts_insert AFTER INSERT ON post BEGIN "
        "INSERT INTO post_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
        "CREATE TRIGGER post_fts_delete AFTER DELETE ON post BEGIN "
        "INSERT INTO post_fts(post_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
        "CREATE TRIGGER post_fts_update AFTER UPDATE OF search_text ON post BEGIN "
        "INSERT INTO post_fts(post_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
        "INSERT INTO post_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
        "INSERT INTO post_fts(post_fts) VALUES ('rebuild')",
    ],
    "postgresql": [
        "ALTER TABLE post ADD COLUMN search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_text, ''))) STORED",
        "CREATE INDEX ix_post_search_vector ON post USING gin (search_vector)",
    ],
    "mysql": ["CREATE FULLTEXT INDEX ix_post_search_text ON post (search_text)"],
}
UNDO_DDL = {
    "sqlite": [
        "DROP TRIGGER post_fts_insert",
        "DROP TRIGGER post_fts_delete",
        "DROP TRIGGER post_fts_update",
        "DROP TABLE post_fts",
    ],
    "postgresql": ["DROP INDEX ix_post_search_vector", "ALTER TABLE post DROP COLUMN search_vector"],
    "mysql": ["DROP INDEX ix_post_search_text ON post"],
}
_CJK = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")


def normalize_text(text):
    """Frozen copy of app.search.text.normalize_text for the backfill."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_CJK.sub(r" \1 ", text).split())


def dialect_name():
    name = op.get_bind().dialect.name
    return "mysql" if name == "mariadb" else name


def backfill_search_text():
    connection = op.get_bind()
    post = sa.table("post", sa.column("id", sa.Integer), sa.column("body", sa.String), sa.column("search_text"))
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(post.c.id, post.c.body).where(post.c.id > last_id).order_by(post.c.id).limit(5000)
        ).all()
        if not rows:
            return
        connection.execute(
            sa.text("UPDATE post SET search_text = :t WHERE id = :id"),
            [{"id": row.id, "t": normalize_text(row.body)} for row in rows],
        )
        last_id = rows[-1].id


def upgrade():
    op.create_table(
        "search_pending",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("index_name", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("operation", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_pending")),
    )
    op.add_column("post", sa.Column("search_text", sa.Text(), nullable=True))
    backfill_search_text()
    for statement in DDL.get(dialect_name(), []):
        op.execute(statement)


def downgrade():
    for statement in UNDO_DDL.get(dialect_name(), []):
        op.execute(statement)
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_column("search_text")
    op.drop_table("search_pending")
