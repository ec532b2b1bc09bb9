"""Roles: the permission decorator, the `can` template helper, `flask user role` and the administrator's edit."""

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEntry, Role, User
from tests.support.factories import UserFactory


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for path in ("/moderation", "/admin", "/admin/audit", "/moderation/suspended", "/admin/users/susan/edit"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith("/auth/login?next="), path


def test_a_moderator_moderates_but_does_not_administer(client_as, user):
    UserFactory(username="mod", role=Role.MODERATOR)
    mod = client_as("mod")
    assert mod.get("/moderation").status_code == 200
    assert mod.get("/moderation/suspended").status_code == 200
    for path in ("/admin", "/admin/audit", "/admin/users/susan/edit"):
        assert mod.get(path).status_code == 403, path


def test_the_navbar_links_follow_the_permissions(client_as, user):
    UserFactory(username="mod", role=Role.MODERATOR)
    UserFactory(username="boss", role=Role.ADMINISTRATOR)
    plain, mod, boss = (client_as(name).get("/index").text for name in ("susan", "mod", "boss"))
    assert 'href="/moderation"' not in plain and 'href="/admin"' not in plain
    assert 'href="/moderation"' in mod and 'href="/admin"' not in mod
    assert 'href="/moderation"' in boss and 'href="/admin"' in boss


def test_the_account_deletion_route_uses_the_permission_decorator(client, client_as, user):
    assert client.post(f"/settings/users/{user.id}/delete").status_code == 302  # to the login page
    assert client_as("susan").post(f"/settings/users/{user.id}/delete").status_code == 403


def test_flask_user_create_admin_and_flask_user_role(runner, app):
    result = runner.invoke(args=["user", "create", "chief", "chief@example.com", "--admin", "--password", "pw12345678"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["user", "role", "Chief", "moderator"])
    assert result.exit_code == 0, result.output
    assert "chief is now a moderator" in result.output
    chief = db.session.scalar(User.by_username("chief"))
    db.session.refresh(chief)
    assert chief.role == Role.MODERATOR
    entry = db.session.scalar(sa.select(AuditEntry))
    assert (entry.actor_name, entry.action, entry.target_name) == ("command line", "change_role", "chief")
    assert entry.reason == "role: administrator -> moderator"


def test_flask_user_role_names_an_unknown_user_or_role(runner, user):
    unknown_user = runner.invoke(args=["user", "role", "nobody", "moderator"])
    assert unknown_user.exit_code != 0 and "there is no user called 'nobody'" in unknown_user.output
    unknown_role = runner.invoke(args=["user", "role", "susan", "king"])
    assert unknown_role.exit_code != 0 and "'king' is not one of" in unknown_role.output
    db.session.refresh(user)
    assert user.role == Role.USER


def test_an_administrator_edits_any_profile_and_it_is_audited(client_as, user):
    UserFactory(username="boss", role=Role.ADMINISTRATOR)
    boss = client_as("boss")
    profile = boss.get("/user/susan").text
    assert 'href="/admin/users/susan/edit"' in profile
    form = boss.get("/admin/users/susan/edit").text
    assert 'value="susan"' in form and 'value="susan@example.com"' in form
    response = boss.post(
        "/admin/users/susan/edit",
        data={"username": "Susanna", "email": "New@Example.com", "role": "moderator", "confirmed": "y"},
    )
    assert response.status_code == 302 and response.location == "/admin/users/Susanna/edit"
    db.session.expire_all()
    susan = db.session.get(User, user.id)
    assert (susan.username, susan.email, susan.role, susan.confirmed) == (
        "Susanna",
        "new@example.com",
        "moderator",
        True,
    )
    entry = db.session.scalar(sa.select(AuditEntry))
    assert (entry.actor_name, entry.action, entry.target_name) == ("boss", "edit_account", "Susanna")
    assert "role: user -> moderator" in entry.reason and "username: susan -> Susanna" in entry.reason
    assert "Susanna" in boss.get("/admin/audit").text


def test_the_administrators_edit_shows_validation_errors_in_the_form(client_as, user, john):
    UserFactory(username="boss", role=Role.ADMINISTRATOR)
    boss = client_as("boss")
    taken = boss.post("/admin/users/susan/edit", data={"username": "JOHN", "email": "john@example.com", "role": "user"})
    assert taken.status_code == 200
    assert "Please use a different username." in taken.text
    assert "Please use a different email address." in taken.text
    bad = boss.post("/admin/users/susan/edit", data={"username": "a b", "email": "nope", "role": "king"})
    assert bad.status_code == 200 and "is-invalid" in bad.text
    db.session.expire_all()
    assert db.session.get(User, user.id).username == "susan"
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == 0


def test_a_plain_user_cannot_edit_a_profile(client_as, user, john):
    assert client_as("susan").get("/admin/users/john/edit").status_code == 403
    assert client_as("susan").post("/admin/users/john/edit", data={"username": "x"}).status_code == 403
    assert 'href="/admin/users/john/edit"' not in client_as("susan").get("/user/john").text
