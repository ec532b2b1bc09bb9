"""Export in the browser: the progress alert rises without a reload, then reports completion."""

from datetime import timedelta

import sqlalchemy as sa

from app.models import Post, utcnow
from tests.support.browser import log_in, register

POSTS = 40_000


def add_posts(database_url: str, username: str, count: int) -> None:
    """Give `username` many posts straight in the live server's database, so the export takes a while."""
    engine = sa.create_engine(database_url)
    start = utcnow() - timedelta(days=30)
    with engine.begin() as connection:
        user_id = connection.execute(sa.text("SELECT id FROM user WHERE username = :u"), {"u": username}).scalar_one()
        connection.execute(
            sa.insert(Post.__table__),
            [
                {
                    "body": f"old post {i}",
                    "search_text": f"old post {i}",
                    "timestamp": start + timedelta(seconds=i),
                    "user_id": user_id,
                    "language": "",
                }
                for i in range(count)
            ],
        )
    engine.dispose()


def test_export_progress_rises_live_then_completes(page, live_server):
    register(page, "archivist")
    log_in(page, "archivist")
    add_posts(live_server.app.config["SQLALCHEMY_DATABASE_URI"], "archivist", POSTS)

    page.goto("/user/archivist")
    page.get_by_role("button", name="Export your posts").click()
    page.wait_for_url("**/user/archivist")
    alert = page.locator(".task-progress")
    assert alert.is_visible()
    first = int(page.locator(".task-percent").inner_text())
    assert first < 100
    page.evaluate("window.__not_reloaded = true")

    # The page polls /notifications every 10 s; completion replaces the percentage with a message.
    alert.get_by_text("Finished! Check your email.").wait_for(timeout=30_000)
    assert page.evaluate("window.__not_reloaded") is True
    # Nothing beside it still says the export is starting or running.
    for stale in ("has started", "in progress", "Exporting posts"):
        assert page.get_by_text(stale).count() == 0, stale
    page.goto("/user/archivist")
    assert page.get_by_role("button", name="Export your posts").is_visible()
