"""The cost of exporting a big account: `app.tasks.export_posts` for a user with 100,000 posts.

    python bench/export_bench.py [--posts 100000]

Builds a scratch SQLite database (bench/data/export-bench.db) holding one user and --posts posts,
then runs the export in a fresh subprocess with the console outbox (no mail server) and prints its
wall time, the subprocess's peak RSS (before the export, after it, and overall) and the size of
posts.json and of the whole email.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DATA, ROOT, app_env, ensure_venv, python  # noqa: E402

ensure_venv()

SCRATCH_DB = DATA / "export-bench.db"
BATCH = 10_000


def build(url: str, posts: int) -> int:
    """Create the schema, one user and `posts` posts; return the user's id."""
    os.environ.update(app_env(url, LOG_TO_STDOUT="1"))
    import sqlalchemy as sa

    from app import create_app
    from app.cli.seed import make_body
    from app.extensions import db
    from app.models import Post, User, utcnow
    from app.search.text import normalize_text

    app = create_app()
    with app.app_context():
        db.create_all()
        user = User(username="exporter", email="exporter@example.com")
        user.set_password("microblog-demo")
        db.session.add(user)
        db.session.commit()
        rng = random.Random(1)
        now = utcnow()
        batch = []
        for i in range(posts):
            body, language = make_body(rng)
            batch.append(
                {
                    "body": body,
                    "search_text": normalize_text(body),
                    "language": language,
                    "user_id": user.id,
                    "timestamp": now - timedelta(seconds=i * 60),
                }
            )
            if len(batch) >= BATCH:
                db.session.execute(sa.insert(Post), batch)
                db.session.commit()
                batch = []
        if batch:
            db.session.execute(sa.insert(Post), batch)
            db.session.commit()
        return user.id


def child(url: str, user_id: int, result_path: str) -> None:
    """Run the export in this (fresh) process and write the figures to `result_path`."""
    os.environ.update(app_env(url, LOG_TO_STDOUT="1"))
    from flask_mail import email_dispatched

    from app import create_app
    from app.tasks import export_posts

    sent = []
    email_dispatched.connect(lambda sender, message, **extra: sent.append(message), weak=False)
    app = create_app()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with app.app_context():
        export_posts(user_id)
    elapsed = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if not sent:
        raise SystemExit("the export sent no email")
    message = sent[-1]
    attachment = sum(len(a.data) for a in message.attachments)
    # Encoding the MIME message (what an SMTP server would receive) is done after the RSS reading above:
    # the console outbox never builds it.
    with app.app_context():
        email_size = len(message.as_bytes())
    document = json.loads(message.attachments[0].data)
    result = {
        "export_seconds": elapsed,
        "rss_before_kb": rss_before,
        "rss_after_kb": rss_after,
        "attachment_bytes": attachment,
        "email_bytes": email_size,
        "exported_posts": len(document["posts"]),
    }
    Path(result_path).write_text(json.dumps(result))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--user-id", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = f"sqlite:///{SCRATCH_DB}"
    if args.child:
        child(url, args.user_id, args.result)
        return 0

    DATA.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{SCRATCH_DB}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    user_id = build(url, args.posts)
    print(f"Scratch database {SCRATCH_DB.relative_to(ROOT)}: 1 user, {args.posts} posts "
          f"({time.perf_counter() - started:.1f} s to build)")  # fmt: skip

    with tempfile.NamedTemporaryFile(suffix=".json") as result_file:
        command = [python(), str(Path(__file__).resolve()), "--child", "--user-id", str(user_id)]
        command += ["--result", result_file.name]
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        errors = process.stderr.read().decode(errors="replace")
        process.stderr.close()
        if process.returncode != 0:
            raise SystemExit(f"the export subprocess failed ({process.returncode}):\n{errors[-3000:]}")
        result = json.loads(Path(result_file.name).read_text())

    mb = 1024 * 1024
    print(f"export_posts: {result['exported_posts']} posts in {result['export_seconds']:.2f} s "
          f"({result['exported_posts'] / result['export_seconds']:.0f} posts/s); subprocess wall time "
          f"{wall:.2f} s including start-up")  # fmt: skip
    print(f"peak RSS: {result['rss_before_kb'] / 1024:.0f} MB after start-up, {result['rss_after_kb'] / 1024:.0f} MB "
          f"after the export (+{(result['rss_after_kb'] - result['rss_before_kb']) / 1024:.0f} MB), "
          f"{usage.ru_maxrss / 1024:.0f} MB overall (with the MIME encoding an SMTP send adds)")  # fmt: skip
    print(f"posts.json: {result['attachment_bytes'] / mb:.2f} MB; whole email (MIME, base64): "
          f"{result['email_bytes'] / mb:.2f} MB")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
