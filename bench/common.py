"""Helpers shared by the benchmark scripts: paths, the interpreter, the benchmark databases."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / "data"
RESULTS = BENCH / "results"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"

DEFAULT_POSTGRES_URL = "postgresql://root@127.0.0.1:5432/microblog_bench"
SQLITE_FILE = DATA / "microblog-bench.db"

# The deep reader's home timeline size: the mid-size timeline, whose deep pages a plan can misjudge.
DEEP_TIMELINE = 77_000
# Each user's following count and home timeline size (own posts and followed users', from the counters).
TIMELINE_SIZES = (
    "SELECT u.id, u.username, COUNT(f.followed_id) AS n, u.post_count + COALESCE(SUM(a.post_count), 0) AS size "
    'FROM "user" u LEFT JOIN followers f ON f.follower_id = u.id LEFT JOIN "user" a ON a.id = f.followed_id '
    "GROUP BY u.id, u.username, u.post_count"
)


def ensure_venv() -> None:
    """Re-run this script with the project's venv when started by another interpreter."""
    try:
        import flask  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ImportError:
        if VENV_PYTHON.exists() and Path(sys.executable).resolve() != VENV_PYTHON.resolve():
            os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])
        raise SystemExit("Run `make setup` first: Flask and SQLAlchemy are not installed") from None
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def python() -> str:
    """The interpreter that runs the app (the venv's, which has gunicorn and the requirements)."""
    return sys.executable


def database_url(db: str, url: str | None = None) -> str:
    """Return the benchmark database's URL (as given to the app in DATABASE_URL)."""
    if db == "sqlite":
        return url or f"sqlite:///{SQLITE_FILE}"
    if db == "postgresql":
        return url or DEFAULT_POSTGRES_URL
    raise SystemExit(f"unknown --db {db!r}: sqlite or postgresql")


def sqlalchemy_url(url: str) -> str:
    """The URL with the driver the app uses (postgresql:// -> postgresql+psycopg://)."""
    from config import database_url as normalise

    saved = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    try:
        return normalise(url)
    finally:
        if saved is None:
            del os.environ["DATABASE_URL"]
        else:
            os.environ["DATABASE_URL"] = saved


def upload_dir(url: str) -> Path:
    """Where the seeded images' files live: beside their database, one folder per kind of database."""
    return DATA / f"uploads-{url.split(':')[0].split('+')[0]}"


def app_env(url: str, **extra: str) -> dict[str, str]:
    """Environment for a `flask` command or the app server on the benchmark database.

    Optional services stay at their embedded defaults (database search, in-process jobs, console
    mail) unless the caller's environment sets them explicitly.
    """
    env = dict(os.environ)
    env["DATABASE_URL"] = url
    env["FLASK_APP"] = "microblog.py"
    env.setdefault("UPLOAD_DIR", str(upload_dir(url)))
    env.setdefault("SECRET_KEY", "bench-" + os.urandom(16).hex())
    for name in ("REDIS_URL", "ELASTICSEARCH_URL", "MAIL_SERVER", "SERVER_NAME"):
        env.setdefault(name, "")  # blank: beats a value in .env (python-dotenv never overrides)
    env.update(extra)
    return env
