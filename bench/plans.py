"""Print the query plans of the page of posts a request reads, on the database bench/run.py seeded.

    python bench/plans.py --db postgresql --database-url URL /  "/index?page=50"
    python bench/plans.py --db sqlite --user tea89_s1 /explore --all
    python bench/plans.py --db sqlite / "/index?page=50" --by-links 50

Logged in as `--user` (default: run.py's deep reader, whose home timeline is nearest 77,000
posts), each path is requested twice in-process (Flask's test client); the statements of the
second request are recorded with their parameters. `--by-links N` adds page N as a reader reaches
it, by following the "Older posts" links from `/`. The statement that reads the page's posts
(`ORDER BY post.timestamp DESC`; `--all`: every SELECT) is then run again under
`EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL, or `EXPLAIN QUERY PLAN` on SQLite, and timed: the
best of `--runs` runs. A table then sums each page up: the statement's time, the blocks its plan
touched (PostgreSQL) and the best time of the whole request in-process (`--runs` requests).
"""

import argparse
import html
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DEEP_TIMELINE, TIMELINE_SIZES, app_env, database_url, ensure_venv  # noqa: E402

ensure_venv()

DEMO_PASSWORD = "microblog-demo"
PAGE_OF_POSTS = re.compile(r"ORDER BY post\.timestamp DESC", re.IGNORECASE)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help='pages to explain, e.g. / "/index?page=50"')
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database-url")
    parser.add_argument("--user", help="username to log in as (default: the deep reader of bench/run.py)")
    parser.add_argument("--all", action="store_true", help="explain every SELECT of the request")
    parser.add_argument("--runs", type=int, default=20, help="runs of each statement for its time (default 20)")
    parser.add_argument(
        "--by-links", type=int, metavar="N", help="also explain page N as its links reach it: N - 1 clicks from /"
    )
    args = parser.parse_args()

    os.environ.update(app_env(database_url(args.db, args.database_url), LOG_TO_STDOUT="0", RATELIMIT_ENABLED="0"))
    from app import create_app
    from app.extensions import db

    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        username = args.user or deep_reader(db)
        client = app.test_client()
        form = {"username": username, "password": DEMO_PASSWORD}
        if client.post("/auth/login", data=form).status_code != 302:
            raise SystemExit(f"Logging in as {username} failed.")
        print(f"{args.db}, logged in as {username}")
        paths = args.paths + ([page_by_links(client, args.by_links)] if args.by_links else [])
        summary = []
        for path in paths:
            statements = recorded_statements(db.engine, client, path)
            picked = [s for s in statements if args.all or PAGE_OF_POSTS.search(s[0])]
            for number, (statement, parameters) in enumerate(picked, 1):
                print(f"\n## {path}: statement {number} of {len(picked)}\n")
                print(statement.strip())
                print(f"-- parameters: {parameters}\n")
                with db.engine.connect() as conn:
                    plan = explain(conn, statement, parameters)
                    statement_ms = best_ms(conn, statement, parameters, args.runs)
                print("\n".join(plan))
                print(f"\nbest of {args.runs} runs: {statement_ms:.2f} ms")
                if number == 1:
                    summary.append((path, statement_ms, blocks(plan), request_ms(client, path, args.runs)))
        print("\n| page | its posts' statement, ms | blocks (shared hit + read) | whole request in-process, ms |")
        print("|---|---|---|---|")
        for path, statement_ms, block_count, whole_ms in summary:
            print(f"| `{path}` | {statement_ms:.2f} | {block_count} | {whole_ms:.2f} |")
    return 0


def blocks(plan: list[str]) -> str:
    """Return the blocks the whole plan touched (its first Buffers line), or "-" (SQLite)."""
    for line in plan:
        if "Buffers:" in line:
            return str(sum(int(n) for n in re.findall(r"(?:hit|read)=(\d+)", line)))
    return "-"


def request_ms(client, path: str, runs: int) -> float:
    """Return the fastest of `runs` requests to `path` through the test client (no HTTP), in milliseconds."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path).close()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def deep_reader(db) -> str:
    """Return the username whose home timeline is nearest DEEP_TIMELINE posts (as bench/run.py picks it)."""
    import sqlalchemy as sa

    query = f"SELECT username FROM ({TIMELINE_SIZES}) t ORDER BY ABS(size - :target), id LIMIT 1"
    username = db.session.scalar(sa.text(query), {"target": DEEP_TIMELINE})
    if username is None:
        raise SystemExit("The database is empty: seed it with bench/run.py first.")
    return username


def page_by_links(client, number: int) -> str:
    """Return the URL that page `number` has when reached by following "Older posts" links from `/`."""
    path = "/"
    for _ in range(number - 1):
        match = re.search(r'href="([^"]+)" rel="next"', client.get(path).get_data(as_text=True))
        if match is None:
            raise SystemExit(f"no page after {path}")
        path = html.unescape(match.group(1))
    return path


def recorded_statements(engine, client, path: str) -> list[tuple[str, object]]:
    """Return the SELECT statements (as the driver got them) of a warm request to `path`."""
    import sqlalchemy as sa

    if client.get(path).status_code != 200:
        raise SystemExit(f"{path} did not answer 200")
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return statements


def explain(conn, statement: str, parameters) -> list[str]:
    """Return the lines of the statement's plan: run and buffered on PostgreSQL, the query plan on SQLite."""
    if conn.dialect.name == "postgresql":
        rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        return [row[0] for row in rows]
    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    depth = {0: 0}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, 0) + 1
        lines.append("  " * (depth[node] - 1) + detail)
    return lines


def best_ms(conn, statement: str, parameters, runs: int) -> float:
    """Return the fastest of `runs` runs of the statement, rows fetched, in milliseconds."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        conn.exec_driver_sql(statement, parameters).all()
        best = min(best, time.perf_counter() - started)
    return best * 1000


if __name__ == "__main__":
    sys.exit(main())
