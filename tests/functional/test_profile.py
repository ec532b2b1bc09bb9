"""Profiles, hover popups, following and editing one's own profile."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.main.forms import EditProfileForm
from app.models import Task, User
from app.tasks import TaskRunner
from tests.support.apps import count_rows
from tests.support.factories import PostFactory, UserFactory
from tests.support.pages import is_site_layout, login_redirect_next


def follows(follower: User, followed: User) -> bool:
    db.session.expire_all()
    return follower.is_following(followed)


@pytest.fixture
def no_job_threads(monkeypatch):
    """Record started exports instead of running them in a thread."""
    started = []
    monkeypatch.setattr(
        TaskRunner,
        "_start_thread",
        staticmethod(lambda task_id, task, args, kwargs: started.append((task.__name__, args))),
    )
    return started


# Login required


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/user/susan"),
        ("get", "/user/susan/popup"),
        ("get", "/edit_profile"),
        ("post", "/edit_profile"),
        ("post", "/follow/susan"),
        ("post", "/unfollow/susan"),
        ("post", "/export_posts"),
    ],
)
def test_profile_pages_send_anonymous_users_to_login(client, user, method, path):
    response = getattr(client, method)(path, data={"username": "hacked"} if method == "post" else None)
    assert login_redirect_next(response) == path
    assert db.session.scalar(User.by_username("susan")) is not None
    assert count_rows(Task) == 0


# Profile page


def test_profile_shows_avatar_username_about_me_and_last_seen(logged_in, john):
    john.about_me = "I like trains"
    db.session.commit()
    response = logged_in.get("/user/john")
    assert response.status_code == 200
    assert john.avatar(256).replace("&", "&amp;") in response.text
    assert 'alt="Avatar of john"' in response.text
    assert "User: john" in response.text
    assert "I like trains" in response.text
    assert "Last seen on" in response.text


def test_profile_lookup_ignores_case(logged_in, john):
    response = logged_in.get("/user/JOHN")
    assert response.status_code == 200
    assert "User: john" in response.text


@pytest.mark.parametrize("name", ["nobody", "no%20body", "a.b", "x" * 65])
def test_unknown_profile_is_404(logged_in, name):
    response = logged_in.get(f"/user/{name}")
    assert response.status_code == 404
    assert is_site_layout(response.text)


def test_profile_counts_followers_and_following(logged_in, user, john):
    mary = UserFactory(username="mary")
    user.follow(john)
    mary.follow(john)
    john.follow(user)
    db.session.commit()
    html = logged_in.get("/user/john").text
    assert "2 followers, 1 following" in html


def test_profile_lists_own_posts_newest_first(logged_in, john):
    PostFactory(author=john, body="older")
    PostFactory(author=john, body="newer")
    PostFactory(body="someone else")
    html = logged_in.get("/user/john").text
    assert re.findall(r'class="mb-1 post-body"[^>]*>(.*?)</p>', html) == ["newer", "older"]


def test_profile_pager_links_only_to_existing_pages(app, logged_in, john):
    app.config["POSTS_PER_PAGE"] = 1
    PostFactory(author=john)
    PostFactory(author=john)
    first = logged_in.get("/user/john").text
    assert 'href="/user/john?page=2" rel="next"' in first
    assert 'rel="prev"' not in first
    assert logged_in.get("/user/john?page=3").status_code == 404
    for page in ("abc", "0", "-1", "99999999999999999999"):
        assert logged_in.get(f"/user/john?page={page}").status_code == 404


def test_own_profile_has_edit_link_and_export_form(logged_in):
    html = logged_in.get("/user/susan").text
    assert 'href="/edit_profile"' in html
    assert 'action="/export_posts"' in html
    assert 'action="/follow/susan"' not in html
    assert 'href="/send_message/susan"' not in html


def test_other_profile_has_follow_form_and_message_link_but_no_export(logged_in, john):
    html = logged_in.get("/user/john").text
    assert re.search(r'<form method="post" action="/follow/john">', html)
    assert 'href="/send_message/john"' in html
    assert 'action="/export_posts"' not in html
    assert 'href="/edit_profile"' not in html


# Popup


def test_popup_is_a_fragment_without_layout(logged_in, john):
    john.about_me = "popup bio"
    db.session.commit()
    response = logged_in.get("/user/john/popup")
    assert response.status_code == 200
    html = response.text
    assert "<html" not in html.lower()
    assert "<nav" not in html
    assert "<script" not in html
    assert "john" in html
    assert "popup bio" in html
    assert "0 followers, 0 following" in html
    assert 'action="/follow/john"' in html


def test_own_popup_has_no_follow_button(logged_in):
    html = logged_in.get("/user/susan/popup").text
    assert "/follow/" not in html


def test_unknown_popup_is_404(logged_in):
    assert logged_in.get("/user/nobody/popup").status_code == 404


# Follow and unfollow


def test_follow_then_unfollow(logged_in, user, john):
    response = logged_in.post("/follow/john", follow_redirects=True)
    assert response.request.path == "/user/john"
    assert "You are following john!" in response.text
    assert "1 followers, 0 following" in response.text
    assert 'action="/unfollow/john"' in response.text
    assert follows(user, john)

    response = logged_in.post("/unfollow/john", follow_redirects=True)
    assert "You are not following john." in response.text
    assert "0 followers, 0 following" in response.text
    assert not follows(user, john)


def test_follow_twice_counts_once(logged_in, user, john):
    logged_in.post("/follow/john")
    logged_in.post("/follow/JOHN")
    assert john.followers_count() == 1


def test_unfollow_when_not_following_changes_nothing(logged_in, user, john):
    response = logged_in.post("/unfollow/john")
    assert response.status_code == 302
    assert john.followers_count() == 0


@pytest.mark.parametrize("action", ["follow", "unfollow"])
def test_following_yourself_is_refused_with_message(logged_in, user, action):
    response = logged_in.post(f"/{action}/susan", follow_redirects=True)
    assert response.status_code == 200
    assert "You cannot follow yourself!" in response.text
    assert user.following_count() == 0


@pytest.mark.parametrize("action", ["follow", "unfollow"])
def test_following_unknown_user_is_refused_with_message(logged_in, user, action):
    response = logged_in.post(f"/{action}/nobody", follow_redirects=True)
    assert response.status_code == 200
    assert "User nobody not found." in response.text
    assert user.following_count() == 0


@pytest.mark.parametrize("action", ["follow", "unfollow"])
def test_follow_by_get_is_405_and_changes_nothing(logged_in, user, john, action):
    if action == "unfollow":
        user.follow(john)
        db.session.commit()
    response = logged_in.get(f"/{action}/john")
    assert response.status_code == 405
    assert follows(user, john) is (action == "unfollow")


def test_followed_users_posts_join_home_timeline(logged_in, john):
    PostFactory(author=john, body="from john")
    assert "from john" not in logged_in.get("/index").text
    logged_in.post("/follow/john")
    assert "from john" in logged_in.get("/index").text


# Edit profile


def test_edit_profile_form_is_prefilled(logged_in, user):
    user.about_me = "My bio"
    db.session.commit()
    html = logged_in.get("/edit_profile").text
    assert re.search(r'<input[^>]* name="username"[^>]* value="susan"', html)
    assert re.search(r'<textarea[^>]* name="about_me"[^>]*>\s*My bio</textarea>', html)


def test_edit_profile_saves_changes(logged_in, user):
    response = logged_in.post("/edit_profile", data={"username": "susanna", "about_me": "  Hello!  "})
    assert response.status_code == 302
    assert response.location == "/edit_profile"
    db.session.refresh(user)
    assert user.username == "susanna"
    assert user.about_me == "Hello!"
    assert "Your changes have been saved." in logged_in.get("/edit_profile").text
    assert logged_in.get("/user/susan").status_code == 404
    assert "Hello!" in logged_in.get("/user/susanna").text


def test_edit_profile_get_with_parameters_changes_nothing(logged_in, user):
    response = logged_in.get("/edit_profile", query_string={"username": "renamed", "about_me": "via GET"})
    assert response.status_code == 200
    db.session.refresh(user)
    assert (user.username, user.about_me) == ("susan", None)


def test_edit_profile_empty_about_me_clears_it(logged_in, user):
    user.about_me = "old"
    db.session.commit()
    logged_in.post("/edit_profile", data={"username": "susan", "about_me": ""})
    db.session.refresh(user)
    assert user.about_me is None


def test_edit_profile_may_change_case_of_own_name(logged_in, user):
    response = logged_in.post("/edit_profile", data={"username": "SuSan", "about_me": ""})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.username == "SuSan"


@pytest.mark.parametrize("name", ["john", "JOHN", "John"])
def test_edit_profile_taken_username_in_any_case_is_form_error(logged_in, user, john, name):
    response = logged_in.post("/edit_profile", data={"username": name, "about_me": ""})
    assert response.status_code == 200
    assert "Please use a different username." in response.text
    db.session.refresh(user)
    assert user.username == "susan"


def test_edit_profile_race_on_username_is_form_error(logged_in, user, john, monkeypatch):
    # Another user takes the name between the form's check and the update: the database refuses it.
    monkeypatch.setattr(EditProfileForm, "validate_username", lambda form, field: None)
    response = logged_in.post("/edit_profile", data={"username": "John", "about_me": "new bio"})
    assert response.status_code == 200
    assert "Please use a different username." in response.text
    db.session.expire_all()
    assert (user.username, user.about_me) == ("susan", None)
    assert logged_in.get("/index").status_code == 200


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"username": "", "about_me": ""}, "This field is required."),
        ({"username": "bad name", "about_me": ""}, "Use only letters, digits, underscores, dots and hyphens."),
        ({"username": "x" * 65, "about_me": ""}, "Field cannot be longer than 64 characters."),
        ({"username": "susan", "about_me": "y" * 141}, "Field must be between 0 and 140 characters long."),
    ],
)
def test_edit_profile_invalid_input_is_form_error(logged_in, user, data, error):
    response = logged_in.post("/edit_profile", data=data)
    assert response.status_code == 200
    assert error in response.text
    db.session.refresh(user)
    assert (user.username, user.about_me) == ("susan", None)


def test_edit_profile_about_me_of_140_chars_is_saved(logged_in, user):
    logged_in.post("/edit_profile", data={"username": "susan", "about_me": "y" * 140})
    db.session.refresh(user)
    assert user.about_me == "y" * 140


# Export


def test_export_starts_task_and_hides_form(logged_in, user, no_job_threads):
    response = logged_in.post("/export_posts", follow_redirects=True)
    assert response.request.path == "/user/susan"
    # One status, the live banner: no flash or paragraph that would go stale beside it.
    assert re.findall(r'class="alert alert-success task-progress"[^>]*>\s*Exporting posts\.\.\.', response.text)
    assert "Your export has started" not in response.text and "is in progress" not in response.text
    assert 'action="/export_posts"' not in response.text
    assert no_job_threads == [("export_posts", (user.id,))]
    assert db.session.scalar(sa.select(Task.name)) == "export_posts"


def test_second_export_while_one_runs_is_refused(logged_in, no_job_threads):
    logged_in.post("/export_posts")
    response = logged_in.post("/export_posts", follow_redirects=True)
    assert "An export task is currently in progress" in response.text
    assert len(no_job_threads) == 1
    assert count_rows(Task) == 1


def test_export_by_get_is_405(logged_in, no_job_threads):
    assert logged_in.get("/export_posts").status_code == 405
    assert count_rows(Task) == 0


# CSRF


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/follow/john", {}),
        ("/unfollow/john", {}),
        ("/edit_profile", {"username": "renamed", "about_me": "changed"}),
        ("/export_posts", {}),
    ],
)
def test_profile_forms_refuse_post_without_csrf_token(logged_in, user, john, csrf_enabled, no_job_threads, path, data):
    if path.startswith("/unfollow"):
        user.follow(john)
        db.session.commit()
    response = logged_in.post(path, data=data)
    assert response.status_code == 400
    assert is_site_layout(response.text)
    db.session.expire_all()
    assert (user.username, user.about_me) == ("susan", None)
    assert follows(user, john) is path.startswith("/unfollow")
    assert count_rows(Task) == 0
    assert no_job_threads == []


def test_follow_with_page_csrf_token_succeeds(logged_in, user, john, csrf_enabled):
    html = logged_in.get("/user/john").text
    token = re.search(
        r'action="/follow/john">\s*<input id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html
    )
    assert token, html
    response = logged_in.post("/follow/john", data={"csrf_token": token.group(1)})
    assert response.status_code == 302
    assert follows(user, john)
