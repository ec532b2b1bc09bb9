"""Full-text search inside the application database.

SQLite uses an FTS5 table kept in step by triggers, PostgreSQL a generated
`tsvector` column with a GIN index, MariaDB/MySQL a FULLTEXT index. The index
is updated in the same transaction as the posts, so it can never lag behind.
"""

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects.mysql import match as mysql_match

from app.extensions import db
from app.services.search import ParsedQuery, normalize_text

# DDL that creates the index next to the `post` table, per dialect. The initial
# search migration runs the same statements; `create_all` runs them through the
# table events registered below.
SQLITE_DDL = [
    "CREATE VIRTUAL TABLE post_fts USING fts5(search_text, content='post', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER post_fts_insert AFTER INSERT ON post BEGIN "
    "INSERT INTO post_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER post_fts_delete AFTER DELETE ON post BEGIN "
    "INSERT INTO post_fts(post_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER post_fts_update AFTER UPDATE OF search_text ON post BEGIN "
    "INSERT INTO post_fts(post_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO post_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]
POSTGRESQL_DDL = [
    "ALTER TABLE post ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_text, ''))) STORED",
    "CREATE INDEX ix_post_search_vector ON post USING gin (search_vector)",
]
MYSQL_DDL = ["CREATE FULLTEXT INDEX ix_post_search_text ON post (search_text)"]

# Names the schema comparison of `flask db check` must leave alone (see migrations/env.py).
UNMAPPED_NAMES = {"search_vector", "ix_post_search_vector", "ix_post_search_text"}
UNMAPPED_TABLE_PREFIX = "post_fts"

# InnoDB does not index words shorter than innodb_ft_min_token_size (3 by default).
MYSQL_MIN_TOKEN = 3
REBUILD_BATCH = 5000


def install_ddl_events(post_table: sa.Table) -> None:
    """Create and drop the search index together with the post table."""
    for dialect, statements in (("sqlite", SQLITE_DDL), ("postgresql", POSTGRESQL_DDL), ("mysql", MYSQL_DDL)):
        for statement in statements:
            sa.event.listen(post_table, "after_create", sa.DDL(statement).execute_if(dialect=dialect))
    sa.event.listen(post_table, "before_drop", sa.DDL("DROP TABLE IF EXISTS post_fts").execute_if(dialect="sqlite"))


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


class DatabaseBackend:
    """Search with the database's own full-text index."""

    name = "database"
    transactional = True

    def add(self, index: str, object_id: int, fields: dict[str, str]) -> None:
        """Nothing to do: the database indexes the row as it is written."""

    def remove(self, index: str, object_id: int) -> None:
        """Nothing to do: the database unindexes the row as it is deleted."""

    def query(self, index: str, query: ParsedQuery, page: int, per_page: int) -> tuple[list[int], int]:
        if not query:
            return [], 0
        dialect = db.engine.dialect.name
        if dialect == "sqlite":
            return self._query_sqlite(query, page, per_page)
        if dialect == "postgresql":
            return self._query_postgresql(query, page, per_page)
        return self._query_mysql(query, page, per_page)

    def _query_sqlite(self, query: ParsedQuery, page: int, per_page: int) -> tuple[list[int], int]:
        terms = [_quote(word) + "*" for word in query.words]
        terms += [_quote(" ".join(phrase)) for phrase in query.phrases]
        match = " ".join(terms)
        total = db.session.execute(sa.text("SELECT count(*) FROM post_fts WHERE post_fts MATCH :q"), {"q": match})
        ids = db.session.execute(
            sa.text(
                "SELECT rowid FROM post_fts WHERE post_fts MATCH :q "
                "ORDER BY rank, rowid DESC LIMIT :limit OFFSET :offset"
            ),
            {"q": match, "limit": per_page, "offset": (page - 1) * per_page},
        )
        return [row[0] for row in ids], total.scalar_one()

    def _query_postgresql(self, query: ParsedQuery, page: int, per_page: int) -> tuple[list[int], int]:
        terms = [f"'{word}':*" for word in query.words]
        terms += ["(" + " <-> ".join(f"'{token}'" for token in phrase) + ")" for phrase in query.phrases]
        tsquery = sa.text("to_tsquery('simple', :q)").bindparams(q=" & ".join(terms))
        vector = sa.column("search_vector")
        condition = vector.op("@@")(tsquery)
        rank = sa.func.ts_rank(vector, tsquery)
        # Ranking reads every match anyway, so the same pass counts them: one scan, not two.
        rows = db.session.execute(
            sa.select(sa.column("id"), sa.func.count().over())
            .select_from(sa.table("post"))
            .where(condition)
            .order_by(rank.desc(), sa.column("id").desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        if rows:
            return [row[0] for row in rows], rows[0][1]
        if page == 1:
            return [], 0
        # Past the last page the window has no row to carry the count.
        return [], db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("post")).where(condition))

    def _query_mysql(self, query: ParsedQuery, page: int, per_page: int) -> tuple[list[int], int]:
        indexed = [f"+{word}*" for word in query.words if len(word) >= MYSQL_MIN_TOKEN]
        indexed += [
            '+"' + " ".join(phrase) + '"' for phrase in query.phrases if min(map(len, phrase)) >= MYSQL_MIN_TOKEN
        ]
        # Words and CJK characters too short for the FULLTEXT index are matched with LIKE.
        short = [" " + word for word in query.words if len(word) < MYSQL_MIN_TOKEN]
        short += [" " + " ".join(phrase) for phrase in query.phrases if min(map(len, phrase)) < MYSQL_MIN_TOKEN]
        text_column = sa.column("search_text")
        conditions = [sa.func.concat(" ", text_column).contains(fragment, autoescape=True) for fragment in short]
        order = [sa.column("id").desc()]
        if indexed:
            match = mysql_match(text_column, against=" ".join(indexed)).in_boolean_mode()
            conditions.append(match)
            order.insert(0, match.desc())
        where = sa.and_(*conditions)
        post = sa.table("post", sa.column("id"), text_column)
        total = db.session.scalar(sa.select(sa.func.count()).select_from(post).where(where))
        ids = db.session.scalars(
            sa.select(post.c.id).where(where).order_by(*order).limit(per_page).offset((page - 1) * per_page)
        )
        return list(ids), total

    def rebuild(self, index: str, rows: Iterable[tuple[int, dict[str, str]]], progress=None) -> int:
        """Recompute the stored search text of every row, then rebuild the engine's index."""
        done = 0
        batch: list[dict] = []
        for object_id, fields in rows:
            batch.append({"id": object_id, "t": normalize_text(" ".join(v or "" for v in fields.values()))})
            if len(batch) >= REBUILD_BATCH:
                done += self._write_search_text(batch, progress)
                batch = []
        done += self._write_search_text(batch, progress)
        if db.engine.dialect.name == "sqlite":
            db.session.execute(sa.text("INSERT INTO post_fts(post_fts) VALUES ('rebuild')"))
        db.session.commit()
        return done

    def _write_search_text(self, batch: list[dict], progress) -> int:
        if batch:
            # Rows whose text is already right are left alone: rewriting them would only bloat the table.
            db.session.execute(
                sa.text(
                    "UPDATE post SET search_text = :t WHERE id = :id AND (search_text IS NULL OR search_text <> :t)"
                ),
                batch,
            )
            db.session.commit()
            if progress:
                progress(len(batch))
        return len(batch)

    def count(self, index: str) -> int:
        if db.engine.dialect.name == "sqlite":
            return db.session.scalar(sa.text("SELECT count(*) FROM post_fts_docsize"))
        return db.session.scalar(sa.text("SELECT count(*) FROM post WHERE search_text IS NOT NULL"))
