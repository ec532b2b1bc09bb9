"""Every main page passes axe-core in Chromium, light and dark: no serious or critical accessibility violation.

axe-core comes from npm (`package.json`, installed by `npm ci` with the other front-end assets)
and is read from `node_modules`, never from another host. The context bypasses the page's CSP
only so that the test can add axe's script to the page; the pages themselves are unchanged.
"""

import pytest
from playwright.sync_api import expect

from app import conversations, media, moderation
from app.extensions import db
from app.models import Role
from tests.e2e.test_conversations import in_app, sign_in
from tests.support.factories import UserFactory
from tests.support.images import image_bytes
from tests.support.paths import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
PAGES = (
    "/index",
    "/explore",
    "/user/ally",
    "/post/{thread}",
    "/tag/garden",
    "/messages",
    "/activity",
    "/moderation",
)
# The pages that show the thread's images (axe checks them with the previews on).
IMAGE_PAGES = ("/index", "/explore", "/user/ally", "/post/{thread}", "/tag/garden")
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary + ' :: ' + n.html.slice(0, 200)),
  }));
}"""


@pytest.fixture
def live_server(start_live_server, tmp_path):
    """The live app with its image files in this test's own folder."""
    return start_live_server(UPLOAD_DIR=str(tmp_path / "uploads"))


@pytest.fixture
def community(live_server) -> dict:
    """A moderator with a thread carrying two images, a reply by someone else, a message, an activity
    entry and an open report."""
    with in_app(live_server):
        ally = UserFactory(username="ally", role=Role.MODERATOR)
        bo = UserFactory(username="bo")
        images = [
            media.store(ally, image_bytes("JPEG", size=(800, 600), color=(180, 40, 40)), "Tomato seedlings in pots"),
            media.store(ally, image_bytes("PNG", size=(300, 300), color=(40, 140, 40)), "A watering can on the grass"),
        ]
        thread = conversations.publish(
            ally, "Planting tomatoes today #garden", "en", media_ids=[image.id for image in images]
        )
        reply = conversations.publish(bo, "@ally good luck with the #garden", "en", in_reply_to=thread)
        conversations.like(bo, thread)
        bo.follow(ally)
        ally.follow(bo)
        bo.send_message(ally, "Shall we swap seeds?")
        moderation.report_post(ally, reply, "spam", "looks automated")
        db.session.commit()
        return {"thread": thread.id}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_main_pages_have_no_serious_accessibility_violation(new_page, community, scheme):
    assert AXE.is_file(), "axe-core is missing: run `npm ci` (make setup does)"
    page = new_page(bypass_csp=True, color_scheme=scheme)
    sign_in(page, "ally")
    found = {}
    for path in PAGES:
        page.goto(path.format(**community))
        if path in IMAGE_PAGES:
            expect(page.locator(".post-images img")).to_have_count(2)
        page.add_script_tag(path=str(AXE))
        blocking = [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            found[path] = blocking
    assert found == {}, "\n".join(
        f"{path}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}" for path, vs in found.items() for v in vs
    )
