"""Reports, the moderation queue and its actions, suspension, the audit log and the administrator overview."""

import pytest
import sqlalchemy as sa

from app import conversations
from app.extensions import db
from app.models import AuditEntry, Post, Report, ReportStatus, Role, User
from tests.support.factories import DEFAULT_PASSWORD, UserFactory


@pytest.fixture
def mod(app):
    return UserFactory(username="mod", role=Role.MODERATOR)


@pytest.fixture
def thread(user, john):
    """Susan's post and John's answer to it (the post reported)."""
    question = conversations.publish(user, "what do you think?", "en")
    db.session.commit()
    answer = conversations.publish(john, "buy cheap watches", "en", in_reply_to=question)
    db.session.commit()
    return question.id, answer.id


def report(client, path: str, reason: str = "spam", comment: str = ""):
    return client.post(path, data={"reason": reason, "comment": comment}, follow_redirects=True)


def open_reports() -> list[Report]:
    return list(db.session.scalars(sa.select(Report).where(Report.status == ReportStatus.OPEN)))


def audit() -> list[tuple]:
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))
    return [(e.actor_name, e.action, e.target_name, e.post_id, e.reason) for e in entries]


# Reporting


def test_a_thread_page_links_to_reporting_its_post_but_not_ones_own(client_as, thread):
    question, answer = thread
    susan = client_as("susan")
    assert f'href="/post/{answer}/report"' in susan.get(f"/post/{answer}").text
    assert f'href="/post/{question}/report"' not in susan.get(f"/post/{question}").text


def test_reporting_a_post_files_one_open_report(client_as, thread, user, john):
    _, answer = thread
    susan = client_as("susan")
    form = susan.get(f"/post/{answer}/report")
    assert form.status_code == 200 and "buy cheap watches" in form.text and 'name="reason"' in form.text
    page = report(susan, f"/post/{answer}/report", "spam", "  ads everywhere ")
    assert "Thank you for your report." in page.text
    [filed] = open_reports()
    assert (filed.reporter_id, filed.reported_id, filed.post_id, filed.reason, filed.comment) == (
        user.id,
        john.id,
        answer,
        "spam",
        "ads everywhere",
    )


def test_reporting_the_same_post_twice_is_answered_kindly_and_counted_once(client_as, thread):
    _, answer = thread
    susan = client_as("susan")
    report(susan, f"/post/{answer}/report")
    again = report(susan, f"/post/{answer}/report", "abuse")
    assert "You have already reported this." in again.text
    assert len(open_reports()) == 1


def test_a_report_needs_a_known_reason_and_a_short_comment(client_as, thread):
    _, answer = thread
    susan = client_as("susan")
    assert susan.post(f"/post/{answer}/report", data={"reason": "boring"}).status_code == 200
    assert susan.post(f"/post/{answer}/report", data={"reason": "spam", "comment": "x" * 501}).status_code == 200
    assert open_reports() == []
    assert susan.get("/post/999999/report").status_code == 404


def test_nobody_reports_their_own_post_or_account(client_as, thread):
    question, _ = thread
    susan = client_as("susan")
    assert "You cannot report your own" in report(susan, f"/post/{question}/report").text
    assert "You cannot report your own" in report(susan, "/user/susan/report").text
    assert open_reports() == []


def test_reporting_an_account_from_its_profile(client_as, user, john):
    susan = client_as("susan")
    assert 'href="/user/john/report"' in susan.get("/user/john").text
    report(susan, "/user/john/report", "abuse", "rude to everyone")
    [filed] = open_reports()
    assert (filed.reported_id, filed.post_id, filed.reason) == (john.id, None, "abuse")
    assert susan.get("/user/nobody/report").status_code == 404


def test_the_reported_person_never_learns_who_reported(client_as, thread, user, john):
    _, answer = thread
    report(client_as("susan"), f"/post/{answer}/report", "spam", "reported by a careful reader")
    reported = client_as("john")
    for path in ("/index", "/activity", f"/post/{answer}", "/user/john", "/notifications?since=0", "/messages"):
        page = reported.get(path)
        assert "reported by a careful reader" not in page.text, path
    assert reported.get("/moderation").status_code == 403
    # The activity page lists no entry from susan other than the reply itself.
    assert db.session.scalar(sa.text("SELECT count(*) FROM activity WHERE actor_id = :id"), {"id": user.id}) == 0


# The queue


def test_the_queue_shows_each_report_with_its_post_in_context(client_as, thread, mod):
    _, answer = thread
    report(client_as("susan"), f"/post/{answer}/report", "spam", "ads everywhere")
    page = client_as("mod").get("/moderation")
    assert page.status_code == 200
    text = page.text
    assert "buy cheap watches" in text and "what do you think?" in text  # the post and the one it answers
    assert text.index("what do you think?") < text.index("buy cheap watches")
    assert "ads everywhere" in text and "Spam" in text
    assert 'href="/user/susan"' in text  # the reporter, for moderators
    assert f'action="/moderation/reports/{open_reports()[0].id}/dismiss"' in text


def test_the_queue_lists_oldest_or_newest_first(client_as, user, john, mod):
    UserFactory(username="zed")
    report(client_as("susan"), "/user/john/report", "spam", "first report")
    report(client_as("zed"), "/user/john/report", "spam", "second report")
    oldest = client_as("mod").get("/moderation").text
    newest = client_as("mod").get("/moderation?order=newest").text
    assert oldest.index("first report") < oldest.index("second report")
    assert newest.index("second report") < newest.index("first report")


def test_dismissing_a_report_closes_it_and_is_audited(client_as, thread, mod):
    _, answer = thread
    report(client_as("susan"), f"/post/{answer}/report")
    [filed] = open_reports()
    moderator = client_as("mod")
    assert moderator.post(f"/moderation/reports/{filed.id}/dismiss", data={"why": ""}).status_code == 302
    assert len(open_reports()) == 1  # no reason given: nothing done
    response = moderator.post(f"/moderation/reports/{filed.id}/dismiss", data={"why": "just a joke"})
    assert response.status_code == 302 and response.location == "/moderation"
    db.session.expire_all()
    assert db.session.get(Report, filed.id).status == ReportStatus.DISMISSED
    assert audit() == [("mod", "dismiss_report", "john", answer, "just a joke")]
    assert moderator.post(f"/moderation/reports/{filed.id}/dismiss", data={"why": "again"}).status_code == 404


def test_deleting_a_reported_post_goes_through_the_ordinary_deletion(client_as, thread, user, john, mod):
    question, answer = thread
    report(client_as("susan"), f"/post/{answer}/report")
    [filed] = open_reports()
    client_as("mod").post(f"/moderation/reports/{filed.id}/delete_post", data={"why": "spam link"})
    db.session.expire_all()
    assert db.session.get(Post, answer) is None
    assert db.session.get(User, john.id).posts_counter == 0
    assert db.session.get(Post, question).replies_count == 0
    assert Post.search("watches", 1, 10)[1] == 0
    assert audit() == [("mod", "delete_post", "john", answer, "spam link")]
    assert open_reports() == []


def test_suspending_an_account_ends_its_sign_in_and_hides_its_profile(client_as, client, thread, john, mod):
    _, answer = thread
    johns_session = client_as("john")
    report(client_as("susan"), f"/post/{answer}/report")
    [filed] = open_reports()
    client_as("mod").post(f"/moderation/reports/{filed.id}/suspend", data={"why": "spammer"})
    db.session.expire_all()
    assert db.session.get(User, john.id).suspended_at is not None
    assert johns_session.get("/index").status_code == 302  # the session ended
    login = client.post("/auth/login", data={"username": "john", "password": DEFAULT_PASSWORD}, follow_redirects=True)
    assert "This account is suspended." in login.text
    assert client_as("susan").get("/user/john").status_code == 404
    assert client_as("susan").get("/user/john/popup").status_code == 404
    assert client_as("mod").get("/user/john").status_code == 200
    assert audit() == [("mod", "suspend", "john", answer, "spammer")]
    assert open_reports() == []


def test_lifting_a_suspension_from_the_list_of_suspended_accounts(client_as, user, john, mod):
    report(client_as("susan"), "/user/john/report")
    moderator = client_as("mod")
    moderator.post(f"/moderation/reports/{open_reports()[0].id}/suspend", data={"why": "rude"})
    listed = moderator.get("/moderation/suspended").text
    assert 'href="/user/john"' in listed and f'action="/moderation/users/{john.id}/lift_suspension"' in listed
    moderator.post(f"/moderation/users/{john.id}/lift_suspension", data={"why": "appeal accepted"})
    db.session.expire_all()
    assert db.session.get(User, john.id).suspended_at is None
    assert "No account is suspended." in moderator.get("/moderation/suspended").text
    assert client_as("john").get("/index").status_code == 200
    assert [entry[1] for entry in audit()] == ["suspend", "lift_suspension"]


def test_a_moderator_cannot_suspend_an_administrator_or_themself(client_as, mod):
    boss = UserFactory(username="boss", role=Role.ADMINISTRATOR)
    UserFactory(username="zed")
    report(client_as("zed"), "/user/boss/report")
    report(client_as("zed"), "/user/mod/report")
    moderator = client_as("mod")
    for filed in open_reports():
        page = moderator.post(f"/moderation/reports/{filed.id}/suspend", data={"why": "x"}, follow_redirects=True)
        assert "You cannot do that to this account." in page.text
    db.session.expire_all()
    assert db.session.get(User, boss.id).suspended_at is None and db.session.get(User, mod.id).suspended_at is None
    assert audit() == []


def test_administrators_get_the_account_deletion_button_on_the_moderation_pages(client_as, user, john, mod):
    UserFactory(username="boss", role=Role.ADMINISTRATOR)
    report(client_as("susan"), "/user/john/report")
    assert f'action="/settings/users/{john.id}/delete"' in client_as("boss").get("/moderation").text
    assert f'action="/settings/users/{john.id}/delete"' not in client_as("mod").get("/moderation").text


# Administrators


def test_the_audit_log_lists_who_did_what_to_whom_and_why(client_as, user, john, mod):
    UserFactory(username="boss", role=Role.ADMINISTRATOR)
    report(client_as("susan"), "/user/john/report")
    client_as("mod").post(f"/moderation/reports/{open_reports()[0].id}/suspend", data={"why": "spam <b>bot</b>"})
    page = client_as("boss").get("/admin/audit").text
    row = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "mod" in row and "suspended an account" in row and "john" in row
    assert "spam &lt;b&gt;bot&lt;/b&gt;" in row


def test_the_overview_counts_and_charts_the_last_30_days(client_as, thread, mod):
    UserFactory(username="boss", role=Role.ADMINISTRATOR)
    _, answer = thread
    report(client_as("susan"), f"/post/{answer}/report")
    page = client_as("boss").get("/admin").text
    assert '<dd class="col-sm-9" id="count-accounts">4</dd>' in page
    assert '<dd class="col-sm-9" id="count-posts">2</dd>' in page
    assert ">1</a></dd>" in page  # open reports
    assert '<dd class="col-sm-9" id="count-jobs">0</dd>' in page
    assert '<svg class="activity-chart" role="img"' in page and '<title id="chart-title">' in page
    assert page.count('class="bar-signups"') == page.count('class="bar-posts"') == 30
    table = page[page.index('id="activity-table"') :]
    assert table.count('<tr><th scope="row">') == 30
    assert "<td>4</td><td>2</td>" in table  # today: four sign-ups, two posts
