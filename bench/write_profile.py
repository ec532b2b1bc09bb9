"""Where a post's time goes: POST /index through the form, in-process, profiled.

    python bench/write_profile.py --db sqlite
    python bench/write_profile.py --db postgresql [--database-url URL] [--posts 300]

On the database bench/run.py seeded, logged in as run.py's write-mix user (the fewest followers),
it posts --posts times with Flask's test client as bench/run.py's load does: one CSRF token and one
session cookie for the whole run (the redirect is not followed, so the flashed message never
piles up in the cookie), a unique body "bench post <n>" each time. It prints:

- the wall time and this process's CPU time per post (best of three rounds of --posts);
- the statements one post sends (SQLAlchemy's cursor executions, plus transaction control);
- wall time per post and share of the request of the main parts, timed by wrapping them with a
  clock (no profiler, so time waiting on the database counts as it does under load);
- cProfile's inclusive time per post and share of the request for finer parts.

Rows nest (the flush is part of publish, the user load runs inside a hook), so the shares do not add
up to 100%. The profiler inflates Python-heavy parts over time spent waiting on the database. The
posts written are deleted at the end.
"""

import argparse
import contextlib
import cProfile
import functools
import importlib
import logging
import os
import pstats
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import app_env, database_url, ensure_venv  # noqa: E402

ensure_venv()

DEMO_PASSWORD = "microblog-demo"
BENCH_POST = "bench post"

# (label, module path ending, function name): the parts of the write path, outermost first.
PARTS = [
    ("whole request (Flask wsgi_app)", "flask/app.py", "wsgi_app"),
    ("session cookie: open (decode, verify)", "flask/sessions.py", "open_session"),
    ("before_request hooks", "flask/app.py", "preprocess_request"),
    ("  CSRFProtect check", "flask_wtf/csrf.py", "protect"),
    ("  user load (Flask-Login)", "flask_login/login_manager.py", "_load_user"),
    ("  locale (remember_locale)", "app/web/hooks.py", "remember_locale"),
    ("  last_seen (record_last_seen)", "app/web/hooks.py", "record_last_seen"),
    ("view: main.index", "app/main/routes.py", "index"),
    ("  PostForm() + validate_on_submit", "flask_wtf/form.py", "validate_on_submit"),
    ("  language detection", "app/translate/language.py", "detect_language"),
    ("  conversations.publish", "app/conversations/posting.py", "publish"),
    ("    Session.flush (INSERT post, UPDATE user)", "sqlalchemy/orm/session.py", "_flush"),
    ("  Session.commit", "sqlalchemy/orm/session.py", "commit"),
    ("    search index on commit", "app/search/events.py", "send_changes"),
    ("  flash", "flask/helpers.py", "flash"),
    ("  redirect(url_for(...))", "flask/helpers.py", "redirect"),
    ("after_request hooks", "flask/app.py", "process_response"),
    ("  request log line", "app/web/request_log.py", "log_request"),
    ("  session cookie: save (encode, sign)", "flask/sessions.py", "save_session"),
    ("teardown (session remove, pool return)", "flask/app.py", "do_teardown_appcontext"),
]


# (label, module, attribute path): the same parts, timed by a clock wrapped around each; the view
# looks up detect_language, flash, redirect and url_for in its module, and publish in app.conversations.
CLOCKED = [
    ("whole request (Flask wsgi_app)", "flask.app", "Flask.wsgi_app"),
    ("session cookie: open", "flask.sessions", "SecureCookieSessionInterface.open_session"),
    ("CSRFProtect check", "flask_wtf.csrf", "CSRFProtect.protect"),
    ("user load (Flask-Login)", "flask_login.login_manager", "LoginManager._load_user"),
    ("validate_on_submit", "flask_wtf.form", "FlaskForm.validate_on_submit"),
    ("language detection", "app.main.routes", "detect_language"),
    ("conversations.publish", "app.conversations", "publish"),
    ("  of which Session._flush", "sqlalchemy.orm.session", "Session._flush"),
    ("    of which the author's post counter UPDATE", "app.models.post", "_change_post_count"),
    ("Session.commit (a flush of nothing, COMMIT)", "sqlalchemy.orm.session", "Session.commit"),
    ("flash", "app.main.routes", "flash"),
    ("redirect + url_for", "app.main.routes", "redirect"),
    ("", "app.main.routes", "url_for"),
    ("session cookie: save", "flask.sessions", "SecureCookieSessionInterface.save_session"),
]


@contextlib.contextmanager
def clocks(totals: dict[str, float]):
    """Wrap each part of CLOCKED with a clock adding its time to `totals`; unwrap on exit."""
    saved = []
    for label, module_name, path in CLOCKED:
        owner = importlib.import_module(module_name)
        *parents, name = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        original = getattr(owner, name)
        saved.append((owner, name, original))
        setattr(owner, name, _clocked(original, totals, label or "redirect + url_for"))
    try:
        yield
    finally:
        for owner, name, original in reversed(saved):
            setattr(owner, name, original)


def _clocked(function, totals: dict[str, float], label: str):
    @functools.wraps(function)
    def clocked(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[label] = totals.get(label, 0.0) + time.perf_counter() - started

    return clocked


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database-url")
    parser.add_argument("--posts", type=int, default=300)
    args = parser.parse_args()

    os.environ.update(app_env(database_url(args.db, args.database_url), LOG_TO_STDOUT="1", RATELIMIT_ENABLED="0"))
    import sqlalchemy as sa

    from app import create_app
    from app.extensions import db
    from app.models import User, followers

    app = create_app()
    logging.getLogger("app.request").setLevel(logging.WARNING)  # the line is still built, not printed
    with app.app_context():
        writer = db.session.scalar(
            sa.select(User.username)
            .outerjoin(followers, followers.c.followed_id == User.id)
            .group_by(User.id, User.username)
            .order_by(sa.func.count(followers.c.follower_id), User.id)
            .limit(1)
        )
        if writer is None:
            raise SystemExit("The database is empty: seed it with bench/run.py first.")

    login = app.test_client()
    form = {"username": writer, "password": DEMO_PASSWORD, "csrf_token": csrf_token(login.get("/auth/login").text)}
    if login.post("/auth/login", data=form).status_code != 302:
        raise SystemExit(f"Logging in as {writer} failed.")
    token = csrf_token(login.get("/").text)
    session_cookie = app.config["SESSION_COOKIE_NAME"]
    cookie = f"{session_cookie}={login.get_cookie(session_cookie).value}"
    client = app.test_client(use_cookies=False)  # the same cookie every time, as wrk sends it
    sent = 0

    def post() -> None:
        nonlocal sent
        sent += 1
        data = {"post": f"{BENCH_POST} {time.time_ns()}-{sent}", "csrf_token": token}
        response = client.post("/index", data=data, headers={"Cookie": cookie})
        if response.status_code != 302:
            raise SystemExit(f"POST /index answered {response.status_code}")

    for _ in range(20):
        post()
    best = best_cpu = float("inf")
    for _ in range(3):
        started, started_cpu = time.perf_counter(), time.process_time()
        for _ in range(args.posts):
            post()
        best = min(best, (time.perf_counter() - started) / args.posts * 1000)
        best_cpu = min(best_cpu, (time.process_time() - started_cpu) / args.posts * 1000)
    print(
        f"{args.db}, as {writer}: {best:.2f} ms per post, {best_cpu:.2f} ms of this process's CPU "
        f"(the database server's is not counted), without the profiler (best of 3 x {args.posts})"
    )

    statements = []
    with app.app_context():
        engine = db.engine

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(" ".join(statement.split())[:90])

        def begin(conn):
            statements.append("BEGIN")

        def commit(conn):
            statements.append("COMMIT")

        listeners = [("begin", begin), ("before_cursor_execute", record), ("commit", commit)]
        for name, listener in listeners:
            sa.event.listen(engine, name, listener)
        post()
        for name, listener in listeners:
            sa.event.remove(engine, name, listener)
    print(f"statements of one post ({len(statements)}):")
    for statement in statements:
        print(f"  {statement}")

    totals: dict[str, float] = {}
    with clocks(totals):
        for _ in range(args.posts):
            post()
    print_clocks(totals, args.posts)

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.posts):
        post()
    profile.disable()
    stats = pstats.Stats(profile).stats
    print_parts(stats, args.posts)

    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM post WHERE body LIKE :pattern"), {"pattern": BENCH_POST + " %"})
    return 0


def print_clocks(totals: dict[str, float], posts: int) -> None:
    """Print the clocked parts in CLOCKED's order, then what the outer parts leave: the framework's own work."""
    whole = totals[CLOCKED[0][0]]
    labels = list(dict.fromkeys(label for label, _, _ in CLOCKED if label))
    rest = whole - sum(totals.get(label, 0.0) for label in labels[1:] if not label.startswith(" "))
    print(f"wall clock, {posts} posts: ms per post and share of the request")
    print(f"| {'part':46} | ms/post | share |")
    print(f"|{'-' * 48}|---------|-------|")
    rows = [(label, totals.get(label, 0.0)) for label in labels] + [("the rest (Flask, hooks, form, log line)", rest)]
    for label, seconds in rows:
        print(f"| {label:46} | {1000 * seconds / posts:7.3f} | {100 * seconds / whole:4.0f}% |")


def print_parts(stats: dict, posts: int) -> None:
    """Print the inclusive time per post of each part of PARTS, and its share of the request."""

    def inclusive(path: str, name: str) -> float:
        return sum(
            row[3] for (filename, _, function), row in stats.items() if function == name and filename.endswith(path)
        )

    total = inclusive(*PARTS[0][1:])
    print(f"cProfile, {posts} posts: inclusive ms per post and share of the request")
    print(f"| {'part':46} | ms/post | share |")
    print(f"|{'-' * 48}|---------|-------|")
    for label, path, name in PARTS:
        seconds = inclusive(path, name)
        print(f"| {label:46} | {1000 * seconds / posts:7.3f} | {100 * seconds / total:4.0f}% |")


if __name__ == "__main__":
    sys.exit(main())
