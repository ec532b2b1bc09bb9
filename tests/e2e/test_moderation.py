"""Reporting a post and acting on it as a moderator, in Chromium."""

from playwright.sync_api import expect

from app.models import Role
from tests.e2e.test_conversations import in_app, seed_post, seed_users, sign_in
from tests.support.factories import UserFactory


def test_a_reported_post_is_deleted_by_a_moderator_and_the_audit_log_shows_it(new_page, open_page, live_server):
    post_id = seed_post(live_server, "spammer", "cheap watches at example.com")
    seed_users(live_server, "reader")
    with in_app(live_server):
        UserFactory(username="boss", role=Role.ADMINISTRATOR)

    reader = new_page()
    sign_in(reader, "reader")
    reader.goto(f"/post/{post_id}")
    reader.get_by_role("link", name="Report this post").click()
    reader.get_by_label("Reason").select_option("spam")
    reader.get_by_label("Comment (optional)").fill("selling watches in every thread")
    reader.get_by_role("button", name="Send the report").click()
    expect(reader.get_by_text("Thank you for your report.")).to_be_visible()

    boss = open_page(live_server.url, expected_failures=f"/post/{post_id}")  # gone at the end
    sign_in(boss, "boss")
    boss.get_by_role("link", name="Moderation").click()
    report = boss.locator("article.report")
    expect(report).to_have_count(1)
    expect(report).to_contain_text("cheap watches at example.com")
    expect(report).to_contain_text("selling watches in every thread")
    report.get_by_label("Why").fill("advertising")
    report.get_by_role("button", name="Delete the post").click()
    expect(boss.get_by_text("The post was deleted.")).to_be_visible()
    expect(boss.get_by_text("No open reports.")).to_be_visible()

    boss.get_by_role("link", name="Audit log").click()
    row = boss.locator("#audit-log tbody tr").first
    expect(row).to_contain_text("boss")
    expect(row).to_contain_text("deleted a post")
    expect(row).to_contain_text("spammer")
    expect(row).to_contain_text("advertising")
    assert boss.goto(f"/post/{post_id}").status == 404
    boss.wait_for_load_state("networkidle")


def test_a_reported_account_is_suspended_and_its_open_session_ends(new_page, live_server):
    seed_users(live_server, "troll", "reader")
    with in_app(live_server):
        UserFactory(username="mod", role=Role.MODERATOR)
    troll = new_page()
    sign_in(troll, "troll")

    reader = new_page()
    sign_in(reader, "reader")
    reader.goto("/user/troll")
    reader.get_by_role("link", name="Report", exact=True).click()
    reader.get_by_label("Reason").select_option("abuse")
    reader.get_by_role("button", name="Send the report").click()
    expect(reader.get_by_text("Thank you for your report.")).to_be_visible()

    mod = new_page()
    sign_in(mod, "mod")
    mod.goto("/moderation")
    report = mod.locator("article.report")
    report.get_by_label("Why").fill("insults")
    report.get_by_role("button", name="Suspend troll").click()
    expect(mod.get_by_text("troll is suspended.")).to_be_visible()

    troll.goto("/index")
    troll.wait_for_url("**/auth/login?next=%2Findex")
    mod.goto("/moderation/suspended")
    expect(mod.locator("article").get_by_role("link", name="troll")).to_be_visible()
    troll.wait_for_load_state("networkidle")
