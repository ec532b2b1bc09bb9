"""Take the README's screenshots: seed a scratch site, serve it, and photograph its main pages in Chromium.

    make screenshots        # = .venv/bin/python scripts/screenshots.py

Everything is local: a SQLite database in a temporary folder, `flask run` on a free port, and
Debian's Chromium driven by Playwright. The pictures go to docs/screenshots/ (light and dark).
"""

import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
FLASK = [sys.executable, "-m", "flask"]
PASSWORD = "microblog-demo"  # every seeded account's (app/cli/seed.py)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1200, "height": 900}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def site_env(database: Path) -> dict[str, str]:
    """The scratch site's settings: no other service, no mail, no limits to trip over."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(
        FLASK_APP="microblog.py",
        DATABASE_URL=f"sqlite:///{database}",
        UPLOAD_DIR=str(database.parent / "uploads"),  # the seeded pictures go with the scratch database
        SECRET_KEY=secrets.token_hex(32),
        REDIS_URL="",
        ELASTICSEARCH_URL="",
        MAIL_SERVER="",
        REQUIRE_EMAIL_CONFIRMATION="0",
        RATELIMIT_ENABLED="0",
    )
    return env


def busiest_reader(database: Path) -> tuple[str, int]:
    """The seeded account that follows the most people (the fullest home timeline), and one of its posts."""
    with sqlite3.connect(database) as connection:
        (name, user_id) = connection.execute(
            "SELECT username, id FROM user ORDER BY following_count DESC, id LIMIT 1"
        ).fetchone()
        (thread,) = connection.execute(
            "SELECT in_reply_to_id FROM post WHERE in_reply_to_id IS NOT NULL "
            "GROUP BY in_reply_to_id ORDER BY count(*) DESC, in_reply_to_id LIMIT 1"
        ).fetchone()
    return name, thread


def wait_until_up(url: str, server: subprocess.Popen) -> None:
    for _ in range(100):
        if server.poll() is not None:
            sys.exit("the site did not start")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("the site did not answer /healthz")


def photograph(url: str, reader: str, thread: int) -> list[Path]:
    pages = {"home": "/index", "explore": "/explore", "profile": f"/user/{reader}", "thread": f"/post/{thread}"}
    taken = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for scheme in ("light", "dark"):
            context = browser.new_context(base_url=url, viewport=VIEWPORT, color_scheme=scheme, locale="en-US")
            page = context.new_page()
            page.goto("/auth/login")
            page.fill("#username", reader)
            page.fill("#password", PASSWORD)
            page.click("#submit")
            page.wait_for_url("**/index")
            for name, path in pages.items():
                if scheme == "dark" and name != "home":
                    continue
                page.goto(path)
                page.wait_for_load_state("networkidle")
                target = OUT / f"{name}{'-dark' if scheme == 'dark' else ''}.png"
                page.screenshot(path=str(target))
                taken.append(target)
            context.close()
        browser.close()
    return taken


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / "screenshots.db"
        env = site_env(database)
        seed = ["seed", "--users", "40", "--posts", "800", "--media", "250", "--seed", "7"]
        for command in (["db", "upgrade"], seed):
            subprocess.run(FLASK + command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        reader, thread = busiest_reader(database)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            FLASK + ["run", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(url, server)
            taken = photograph(url, reader, thread)
        finally:
            server.terminate()
            server.wait(timeout=10)
    for path in taken:
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
