"""Full-text search inside the application database.

SQLite uses an FTS5 table kept in step by triggers, PostgreSQL a generated
`tsvector` column with a GIN index, MariaDB/MySQL a FULLTEXT index. The index
is updated in the same transaction as the posts, so it can never lag behind.
"""

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects.mysql import match as mysql_match

from app.extensions import db
from app.search.backends.base import Progress, Rows
from app.search.text import ParsedQuery, normalize_text

# InnoDB does not index words shorter than innodb_ft_min_token_size (3 by default).
MYSQL_MIN_TOKEN = 3
REBUILD_BATCH = 5000


def ddl_statements(table: str) -> dict[str, list[str]]:
    """Return, per dialect, the statements that create `table`'s full-text index.

    The table keeps its normalised text in `search_text`. The search migration ran these
    statements for `post` (it keeps a frozen copy); `create_all` runs them through table events.
    """
    fts = f"{table}_fts"
    return {
        "sqlite": [
            f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{table}', content_rowid='id', "
            "tokenize='unicode61')",
            f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
            f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF search_text ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
            f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
        ],
        "postgresql": [
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_text, ''))) STORED",
            f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)",
        ],
        "mysql": [f"CREATE FULLTEXT INDEX ix_{table}_search_text ON {table} (search_text)"],
    }


def unmapped_names(table: str) -> tuple[set[str], str]:
    """Return the column and index names, and the table prefix, of `table`'s index that no model maps.

    The schema comparison of `flask db check` must leave them alone (see migrations/env.py).
    """
    return {"search_vector", f"ix_{table}_search_vector", f"ix_{table}_search_text"}, f"{table}_fts"


def install_ddl_events(table: sa.Table) -> None:
    """Create and drop the full-text index together with `table` (once per table)."""
    if table.info.get("search_ddl_installed"):
        return
    table.info["search_ddl_installed"] = True
    for dialect, statements in ddl_statements(table.name).items():
        for statement in statements:
            sa.event.listen(table, "after_create", sa.DDL(statement).execute_if(dialect=dialect))
    # The triggers go first: dropping a table deletes its rows (and, through its own foreign keys,
    # updates others) before the triggers would go with it, and they write to the FTS table.
    fts = f"{table.name}_fts"
    for statement in [f"DROP TRIGGER IF EXISTS {fts}_{event}" for event in ("insert", "delete", "update")] + [
        f"DROP TABLE IF EXISTS {fts}"
    ]:
        sa.event.listen(table, "before_drop", sa.DDL(statement).execute_if(dialect="sqlite"))


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


class DatabaseBackend:
    """Search with the database's own full-text index, one per searchable table."""

    name = "database"
    transactional = True

    def __init__(self, indexes: Iterable[str]) -> None:
        # Index names are table names; they are spliced into SQL, so only known ones are accepted.
        self.indexes = frozenset(indexes)

    def _table(self, index: str) -> str:
        if index not in self.indexes:
            raise LookupError(f"no search index called {index!r}")
        return index

    def add(self, index: str, object_id: int, fields: dict[str, str]) -> None:
        """Nothing to do: the database indexes the row as it is written."""
        self._table(index)

    def remove(self, index: str, object_id: int) -> None:
        """Nothing to do: the database unindexes the row as it is deleted."""
        self._table(index)

    def ping(self) -> bool:
        """Return True: this backend is the database, which answers if the request got this far."""
        return True

    def query(self, index: str, query: ParsedQuery, page: int, per_page: int) -> tuple[list[int], int]:
        """Return one page of matching ids, best ranked first, and the total number of matches."""
        table = self._table(index)
        if not query:
            return [], 0
        dialect = db.engine.dialect.name
        if dialect == "sqlite":
            return self._query_sqlite(table, query, page, per_page)
        if dialect == "postgresql":
            return self._query_postgresql(table, query, page, per_page)
        return self._query_mysql(table, query, page, per_page)

    def _query_sqlite(self, table: str, query: ParsedQuery, page: int, per_page: int) -> tuple[list[int], int]:
        terms = [_quote(word) + "*" for word in query.words]
        terms += [_quote(" ".join(phrase)) for phrase in query.phrases]
        match = " ".join(terms)
        fts = f"{table}_fts"
        total = db.session.execute(sa.text(f"SELECT count(*) FROM {fts} WHERE {fts} MATCH :q"), {"q": match})
        ids = db.session.execute(
            sa.text(
                f"SELECT rowid FROM {fts} WHERE {fts} MATCH :q ORDER BY rank, rowid DESC LIMIT :limit OFFSET :offset"
            ),
            {"q": match, "limit": per_page, "offset": (page - 1) * per_page},
        )
        return [row[0] for row in ids], total.scalar_one()

    def _query_postgresql(self, table: str, query: ParsedQuery, page: int, per_page: int) -> tuple[list[int], int]:
        terms = [f"'{word}':*" for word in query.words]
        terms += ["(" + " <-> ".join(f"'{token}'" for token in phrase) + ")" for phrase in query.phrases]
        # The query is a row of its own (post JOIN to_tsquery(...) AS q ON true), parsed once per statement.
        # Written inline, a plan made for any text (the generic plan PostgreSQL settles on for a
        # repeated prepared statement) parsed it again for every match it ranked: 24 ms instead of
        # 13 for the 9,895 posts that match "lighthouse" in the bench's million.
        parsed = sa.func.to_tsquery(sa.literal_column("'simple'"), " & ".join(terms)).table_valued("q").alias("q")
        rows_and_query = sa.table(table).join(parsed, sa.true())
        vector = sa.column("search_vector")
        condition = vector.op("@@")(parsed.c.q)
        rank = sa.func.ts_rank(vector, parsed.c.q)
        # Ranking reads every match anyway, so the same pass counts them: one scan, not two.
        rows = db.session.execute(
            sa.select(sa.column("id"), sa.func.count().over())
            .select_from(rows_and_query)
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
        return [], db.session.scalar(sa.select(sa.func.count()).select_from(rows_and_query).where(condition))

    def _query_mysql(self, table: str, query: ParsedQuery, page: int, per_page: int) -> tuple[list[int], int]:
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
        rows = sa.table(table, sa.column("id"), text_column)
        total = db.session.scalar(sa.select(sa.func.count()).select_from(rows).where(where))
        ids = db.session.scalars(
            sa.select(rows.c.id).where(where).order_by(*order).limit(per_page).offset((page - 1) * per_page)
        )
        return list(ids), total

    def rebuild(self, index: str, rows: Rows, progress: Progress = None) -> int:
        """Recompute the stored search text of every row, then rebuild the engine's index."""
        table = self._table(index)
        done = 0
        batch: list[dict] = []
        for object_id, fields in rows:
            batch.append({"id": object_id, "t": normalize_text(" ".join(v or "" for v in fields.values()))})
            if len(batch) >= REBUILD_BATCH:
                done += self._write_search_text(table, batch, progress)
                batch = []
        done += self._write_search_text(table, batch, progress)
        if db.engine.dialect.name == "sqlite":
            db.session.execute(sa.text(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')"))
        db.session.commit()
        return done

    def _write_search_text(self, table: str, batch: list[dict], progress: Progress) -> int:
        if batch:
            # Rows whose text is already right are left alone: rewriting them would only bloat the table.
            db.session.execute(
                sa.text(
                    f"UPDATE {table} SET search_text = :t WHERE id = :id AND (search_text IS NULL OR search_text <> :t)"
                ),
                batch,
            )
            db.session.commit()
            if progress:
                progress(len(batch))
        return len(batch)

    def count(self, index: str) -> int:
        """Return how many rows the index holds."""
        table = self._table(index)
        if db.engine.dialect.name == "sqlite":
            return db.session.scalar(sa.text(f"SELECT count(*) FROM {table}_fts_docsize"))
        return db.session.scalar(sa.text(f"SELECT count(*) FROM {table} WHERE search_text IS NOT NULL"))
