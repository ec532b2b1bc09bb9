"""Search speed, in-process (no HTTP), on the database bench/run.py seeded.

    python bench/search_bench.py --db sqlite
    python bench/search_bench.py --db postgresql [--database-url URL]

Prints the median (and p90) time of `Post.search("lighthouse", 1, 25)` over --runs runs after a
warm-up, and the throughput of `flask search reindex` (app.search.reindex(Post), timed) in posts/s.
The search backend is the app's own choice: the database unless ELASTICSEARCH_URL is set.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import app_env, database_url, ensure_venv  # noqa: E402

ensure_venv()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database-url")
    parser.add_argument("--query", default="lighthouse")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--no-reindex", action="store_true", help="only time the search")
    args = parser.parse_args()

    url = database_url(args.db, args.database_url)
    # Config reads the environment when imported: set it first.
    os.environ.update(app_env(url, LOG_TO_STDOUT="1", QUERY_COUNT_HEADER="0"))
    import sqlalchemy as sa

    from app import create_app
    from app import search as search_service
    from app.extensions import db
    from app.models import Post

    app = create_app()
    with app.app_context():
        posts = db.session.scalar(sa.select(sa.func.count(Post.id)))
        if not posts:
            raise SystemExit(f"no posts in {url}: seed it first (python bench/run.py --db {args.db} ...)")
        backend = search_service.get_backend().name
        print(f"Database: {url} ({posts} posts), search backend: {backend}")

        for _ in range(args.warmup):
            Post.search(args.query, 1, 25)
            db.session.rollback()
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            results, total = Post.search(args.query, 1, 25)
            times.append(time.perf_counter() - started)
            db.session.rollback()  # a fresh transaction (and identity map) each time, as in a request
        times.sort()
        p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
        print(
            f'Post.search("{args.query}", 1, 25): median {statistics.median(times) * 1000:.2f} ms, '
            f"p90 {p90 * 1000:.2f} ms over {args.runs} runs; {len(results)} on the page, {total} matches "
            f"({total / posts:.2%} of posts)"
        )

        if not args.no_reindex:
            started = time.perf_counter()
            indexed = search_service.reindex(Post)
            elapsed = time.perf_counter() - started
            print(
                f"reindex (flask search reindex): {indexed} posts in {elapsed:.1f} s = {indexed / elapsed:.0f} posts/s"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
