"""Where a page's time goes, in-process: the framework's floor under each layer the app adds.

    python bench/floor.py --db sqlite
    python bench/floor.py --db postgresql [--database-url URL]

On the database bench/run.py seeded, logged in as run.py's reader, it times with Flask's test
client (no HTTP, no gunicorn) the best of --batches batches of --requests requests of:

- the ceiling's page (bench/ceiling.py, sized to this app's `/`);
- an empty response from the app with no session (the app's hooks, nothing else);
- an empty response for a logged-in user (adds the session cookie, Flask-Login's user load);
- the layout alone for that user (adds base.html: navbar, unread count, running tasks);
- `/` and `/explore` themselves;

and, under "what if", the best case of two designs that the app does not use, as measured tries:

- the reader kept in memory: the session's user load answered from a per-process copy of the row
  and its figures (merged into the request's session, so that lazy loads still work), with no
  statement; its staleness is what rules it out (a suspension or "log out everywhere" would lag);
- a per-reader page cache: `/`'s content served from memory after one statement that reads a
  version of the reader's timeline (its size, as the counters give it), inside the real layout;
- both together: the most a cached page could reach on this layout.

and for the API, against a ceiling document of `/api/timeline`'s size and item count:

- an empty JSON object behind the API's token check (the token's user load and rate-limit hooks);
- `/api/timeline` itself.

The extra routes exist only in this script's app object. The last column is the ceiling's time
divided by each row's: the best ratio to the ceiling a page built on that layer could reach.
"""

import argparse
import base64
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import app_env, database_url, ensure_venv  # noqa: E402

ensure_venv()

DEMO_PASSWORD = "microblog-demo"
LAYOUT_ONLY = "{% extends 'base.html' %}{% block content %}<p>floor</p>{% endblock %}"
CACHED_PAGE = "{% extends 'base.html' %}{% block content %}{{ content }}{% endblock %}"
MAIN = re.compile(r'<main id="content"[^>]*>(.*)</main>', re.S)


def best_ms(client, path: str, headers: dict, requests: int, batches: int) -> float:
    """Return the fastest batch's mean time per request, in milliseconds."""
    response = client.get(path, headers=headers)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    best = float("inf")
    for _ in range(batches):
        started = time.perf_counter()
        for _ in range(requests):
            client.get(path, headers=headers)
        best = min(best, (time.perf_counter() - started) / requests * 1000)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database-url")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument(
        "--profile",
        metavar="ROW",
        help="instead of timing, profile --requests requests of the row named ROW (or whose name contains it) "
        "(cProfile: function calls in all, then the 25 costliest functions by own time)",
    )
    args = parser.parse_args()

    os.environ.update(app_env(database_url(args.db, args.database_url), LOG_TO_STDOUT="1", RATELIMIT_ENABLED="0"))
    import jinja2
    import sqlalchemy as sa
    from flask import jsonify, render_template
    from flask_login import current_user, login_required
    from markupsafe import Markup

    from app import create_app, load_session_user
    from app.api.auth import token_limits, token_user_or_401
    from app.extensions import db, login
    from app.models import User

    app = create_app()
    templates = {"floor.html": LAYOUT_ONLY, "cached.html": CACHED_PAGE}
    app.jinja_loader = jinja2.ChoiceLoader([jinja2.DictLoader(templates), app.jinja_loader])
    app.add_url_rule("/floor/anonymous", "floor_anonymous", lambda: "")
    app.add_url_rule("/floor/login", "floor_login", login_required(lambda: ""))
    app.add_url_rule("/floor/layout", "floor_layout", login_required(lambda: render_template("floor.html")))

    def floor_api():
        token_user_or_401()  # what every token-authenticated API view does first
        return jsonify({})

    app.add_url_rule("/floor/api", "floor_api", token_limits(floor_api))
    cached_content = {}

    def cached_home():
        current_user.timeline_size()  # the version a real cache would compare: one statement
        return render_template("cached.html", content=Markup(cached_content["/"]))

    app.add_url_rule("/floor/cached", "floor_cached", login_required(cached_home))
    kept_readers = {}

    def kept_reader(session_id: str):
        """The what-if user loader: the reader and its figures from this process's memory, no statement."""
        kept = kept_readers.get(session_id)
        if kept is None:
            kept = kept_readers[session_id] = load_session_user(session_id)
            db.session.expunge(kept)
        user = db.session.merge(kept, load=False)
        user._loaded_page_status = kept._loaded_page_status
        return user

    with app.app_context():
        # run.py's reader: the one following nearest 100 accounts, the lowest id among equals.
        nearest = sa.func.abs(User.following_counter - 100)
        reader = db.session.scalar(sa.select(User).order_by(nearest, User.id).limit(1))
        if reader is None:
            raise SystemExit("The database is empty: seed it with bench/run.py first.")
        username = reader.username
    browser, anonymous = app.test_client(), app.test_client()
    login_page = browser.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    form = {"username": username, "password": DEMO_PASSWORD, "csrf_token": token}
    if browser.post("/auth/login", data=form).status_code != 302:
        raise SystemExit(f"Logging in as {username} failed.")
    home = browser.get("/").get_data(as_text=True)
    home_size = len(home.encode())
    cached_content["/"] = MAIN.search(home).group(1)
    basic = base64.b64encode(f"{username}:{DEMO_PASSWORD}".encode()).decode()
    api_token = anonymous.post("/api/tokens", headers={"Authorization": f"Basic {basic}"}).get_json()["token"]
    bearer = {"Authorization": f"Bearer {api_token}"}
    timeline = anonymous.get("/api/timeline", headers=bearer)
    timeline_shape = f"/json/{len(timeline.get_data())}/{len(timeline.get_json()['items'])}"

    os.environ["CEILING_HTML_BYTES"] = str(home_size)
    import ceiling

    ceiling_client = ceiling.app.test_client()
    groups = [
        [
            ("ceiling page (bench/ceiling.py)", ceiling_client, "/html", {}),
            ("app, no session, empty body", anonymous, "/floor/anonymous", {}),
            ("app, logged in, empty body", browser, "/floor/login", {}),
            ("app, logged in, layout only", browser, "/floor/layout", {}),
            ("/", browser, "/", {}),
            ("/explore", browser, "/explore", {}),
        ],
        [
            ("what if: reader kept, empty body", browser, "/floor/login", {}),
            ("what if: reader kept, layout only", browser, "/floor/layout", {}),
            ("what if: page cache, `/`", browser, "/floor/cached", {}),
            ("what if: both, `/`", browser, "/floor/cached", {}),
        ],
        [
            ("ceiling JSON like /api/timeline", ceiling_client, timeline_shape, {}),
            ("API, token checked, empty object", anonymous, "/floor/api", bearer),
            ("/api/timeline", anonymous, "/api/timeline", bearer),
        ],
    ]
    if args.profile:
        return profile(groups, args.profile, args.requests)
    print(f"{args.db}, logged in as {username}; best of {args.batches} batches of {args.requests} requests")
    print(f"| {'what':34} | ms per request | ceiling ÷ this |")
    print(f"|{'-' * 36}|----------------|----------------|")
    html_ceiling_ms = None
    for rows in groups:
        ceiling_ms = html_ceiling_ms if rows[0][0].startswith("what if") else None  # the what-ifs are pages
        for name, client, path, headers in rows:
            login.user_loader(kept_reader if "reader kept" in name or "both" in name else load_session_user)
            ms = best_ms(client, path, headers, args.requests, args.batches)
            ceiling_ms = ceiling_ms or ms
            html_ceiling_ms = html_ceiling_ms or ms
            print(f"| {name:34} | {ms:14.2f} | {ceiling_ms / ms:14.2f} |")
    login.user_loader(load_session_user)
    return 0


def profile(groups: list, row: str, requests: int) -> int:
    """Profile `requests` requests of the first row whose name contains `row`; print the costliest functions."""
    import cProfile
    import pstats

    entries = [entry for rows in groups for entry in rows]
    matches = [entry for entry in entries if entry[0] == row] or [entry for entry in entries if row in entry[0]]
    if not matches:
        raise SystemExit(f"No row's name contains {row!r}.")
    name, client, path, headers = matches[0]
    client.get(path, headers=headers)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(path, headers=headers)
    profiler.disable()
    if os.environ.get("FLOOR_DUMP"):
        profiler.dump_stats(os.environ["FLOOR_DUMP"])
    stats = pstats.Stats(profiler)
    print(f"{name}: {stats.total_calls / requests:.0f} function calls per request")
    stats.sort_stats(os.environ.get("FLOOR_SORT", "tottime")).print_stats(int(os.environ.get("FLOOR_TOP", "25")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
