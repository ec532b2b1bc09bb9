"""What PostgreSQL's plan cache makes of each statement a page sends, on the database bench/run.py seeded.

    python bench/plan_cache.py / /explore "/index?page=50" /tag/coffee
    python bench/plan_cache.py --user tea89_s1 --database-url URL /

Logged in as `--user` (default: run.py's deep reader), each path is requested in-process and its
SELECT statements are recorded with their parameters (as bench/plans.py does). Each statement is
then run as the app's driver runs a repeated statement, prepared on the server, on one connection
per `plan_cache_mode`:

- `auto` (PostgreSQL's default: custom plans for the first five runs, then a generic plan only if
  its estimated cost is close to theirs; otherwise the statement is planned again on every run);
- `force_custom_plan` (planned on every run, for its parameters);
- `force_generic_plan` (planned once per connection, whatever the parameters).

It prints the best time per run of each, in milliseconds, after `--warmup` runs. A statement whose
`auto` time matches `force_custom_plan` is planned on every run; when `force_generic_plan` is
faster, the difference is the planning. Every mode returns the same rows: only the plan changes.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import app_env, database_url, ensure_venv  # noqa: E402

ensure_venv()

from plans import DEMO_PASSWORD, deep_reader, recorded_statements  # noqa: E402

MODES = ("auto", "force_custom_plan", "force_generic_plan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help='pages whose statements to time, e.g. / "/index?page=50"')
    parser.add_argument("--database-url")
    parser.add_argument("--user", help="username to log in as (default: the deep reader of bench/run.py)")
    parser.add_argument("--runs", type=int, default=100, help="timed runs of each statement (default 100)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed runs first: past the five custom plans")
    args = parser.parse_args()

    url = database_url("postgresql", args.database_url)
    os.environ.update(app_env(url, LOG_TO_STDOUT="0", RATELIMIT_ENABLED="0"))
    import psycopg

    from app import create_app
    from app.extensions import db
    from config import POSTGRESQL_SESSION_OPTIONS

    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        username = args.user or deep_reader(db)
        client = app.test_client()
        if client.post("/auth/login", data={"username": username, "password": DEMO_PASSWORD}).status_code != 302:
            raise SystemExit(f"Logging in as {username} failed.")
        recorded = [(path, recorded_statements(db.engine, client, path)) for path in args.paths]
        options = " ".join(part for part in POSTGRESQL_SESSION_OPTIONS.split() if "plan_cache_mode" not in part)
        conninfo = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    print(f"logged in as {username}; best of {args.runs} runs after {args.warmup}, ms per run")
    print("| page | statement | " + " | ".join(MODES) + " |")
    print("|---|---|" + "---|" * len(MODES))
    for path, statements in recorded:
        for statement, parameters in statements:
            times = []
            for mode in MODES:
                with psycopg.connect(conninfo, autocommit=True, options=f"{options} -c plan_cache_mode={mode}") as conn:
                    times.append(best_ms(conn, statement, parameters, args.warmup, args.runs))
            summary = " ".join(statement.split())[:48].replace("|", "/")
            print(f"| `{path}` | `{summary}` | " + " | ".join(f"{ms:.3f}" for ms in times) + " |")
    return 0


def best_ms(conn, statement: str, parameters, warmup: int, runs: int) -> float:
    """Return the fastest of `runs` prepared runs of the statement, rows fetched, after `warmup` runs."""
    for _ in range(warmup):
        conn.execute(statement, parameters, prepare=True).fetchall()
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        conn.execute(statement, parameters, prepare=True).fetchall()
        best = min(best, time.perf_counter() - started)
    return best * 1000


if __name__ == "__main__":
    sys.exit(main())
