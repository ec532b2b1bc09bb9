"""Deleting an account through the site: by its person from the settings page, or by an administrator."""

import sqlalchemy as sa

from app import conversations
from app.extensions import db
from app.models import Post, Role, User
from tests.support.factories import DEFAULT_PASSWORD, UserFactory


def test_the_profile_links_to_the_deletion_page_which_offers_the_export_first(logged_in, user):
    profile = logged_in.get(f"/user/{user.username}").text
    assert 'href="/settings/delete_account"' in profile
    page = logged_in.get("/settings/delete_account").text
    assert page.index('action="/export_posts"') < page.index('name="password"')


def test_a_wrong_password_or_an_unticked_box_deletes_nothing(logged_in, user):
    wrong = logged_in.post("/settings/delete_account", data={"password": "nope", "understood": "y"})
    unticked = logged_in.post("/settings/delete_account", data={"password": DEFAULT_PASSWORD})
    assert wrong.status_code == unticked.status_code == 200
    assert "Invalid password" in wrong.text and "Tick the box to confirm." in unticked.text
    assert db.session.get(User, user.id) is not None


def test_deleting_ones_account_signs_out_and_the_name_is_gone(logged_in, user, client):
    conversations.publish(user, "my last words", "en")
    db.session.commit()
    response = logged_in.post("/settings/delete_account", data={"password": DEFAULT_PASSWORD, "understood": "y"})
    assert response.status_code == 302 and response.location.endswith("/auth/login")
    db.session.expire_all()
    assert db.session.scalar(sa.select(User).where(User.username == "susan")) is None
    assert db.session.scalar(sa.select(Post).where(Post.body == "my last words")) is None
    assert logged_in.get("/index").status_code == 302  # the session ended with the account
    login = client.post("/auth/login", data={"username": "susan", "password": DEFAULT_PASSWORD}, follow_redirects=True)
    assert "Invalid username or password" in login.text


def test_only_an_administrator_deletes_someone_elses_account(client_as, user):
    user_id = user.id
    UserFactory(username="admin", role=Role.ADMINISTRATOR)
    UserFactory(username="mod", role=Role.MODERATOR)
    assert client_as("mod").post(f"/settings/users/{user_id}/delete").status_code == 403
    response = client_as("admin").post(f"/settings/users/{user_id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user_id) is None
    assert client_as("admin").post("/settings/users/999999/delete").status_code == 404


def test_a_message_from_a_deleted_account_reads_deleted_account(client_as, user):
    john = UserFactory(username="john")
    user.send_message(john, "goodbye john")
    db.session.commit()
    client_as("susan").post("/settings/delete_account", data={"password": DEFAULT_PASSWORD, "understood": "y"})
    reader = client_as("john")
    page = reader.get("/messages")
    assert page.status_code == 200 and "goodbye john" in page.text and "deleted account" in page.text
    token = reader.post("/api/tokens", auth=("john", DEFAULT_PASSWORD)).get_json()["token"]
    items = reader.get("/api/messages", headers={"Authorization": f"Bearer {token}"}).get_json()["items"]
    assert [(m["body"], m["sender"], m["sender_id"]) for m in items] == [("goodbye john", None, None)]
