"""A blocked person reaches nothing of the blocker's: every surface answers 404 or 403, or leaves the blocker out."""

import pytest
import sqlalchemy as sa

from app import conversations, safety
from app.extensions import db
from app.models import Activity, Mention, Message, User
from tests.support.api import bearer, token_for
from tests.support.auth import signed_in
from tests.support.factories import UserFactory


@pytest.fixture
def blocked_world(app):
    """susan blocks mallory after writing a thread; mallory is signed in on the site and holds a token."""
    susan = UserFactory(username="susan")
    mallory = UserFactory(username="mallory")
    mallory.follow(susan)
    thread = conversations.publish(susan, "susan's secret #plans about lighthouse", "en")
    db.session.commit()
    safety.block(susan, mallory)
    db.session.commit()
    site = signed_in(app, "mallory")
    api = app.test_client()
    headers = bearer(token_for(api, "mallory"))
    return {"susan": susan, "mallory": mallory, "thread": thread, "site": site, "api": api, "headers": headers}


def _status(world, method: str, path: str, **kwargs) -> int:
    return getattr(world["site"], method)(path, **kwargs).status_code


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/user/susan", None),
        ("get", "/user/susan/popup", None),
        ("get", "/post/{thread}", None),
        ("post", "/post/{thread}", {"post": "a reply"}),
        ("post", "/post/{thread}/like", None),
        ("post", "/post/{thread}/repost", None),
        ("post", "/follow/susan", None),
        ("get", "/send_message/susan", None),
        ("post", "/send_message/susan", {"message": "hello"}),
    ],
)
def test_every_site_surface_refuses_the_blocked_person(blocked_world, method, path, data):
    url = path.format(thread=blocked_world["thread"].id)
    assert _status(blocked_world, method, url, data=data or {}) in (403, 404), url


@pytest.mark.parametrize(
    ("method", "path", "json"),
    [
        ("get", "/api/users/{susan}", None),
        ("get", "/api/users/{susan}/posts", None),
        ("get", "/api/users/{susan}/followers", None),
        ("get", "/api/posts/{thread}", None),
        ("get", "/api/posts/{thread}/context", None),
        ("post", "/api/posts/{thread}/like", None),
        ("post", "/api/posts/{thread}/repost", None),
        ("post", "/api/users/{susan}/follow", None),
        ("post", "/api/posts", {"body": "a reply", "in_reply_to": "{thread}"}),
        ("post", "/api/messages", {"recipient_id": "{susan}", "body": "hello"}),
    ],
)
def test_every_api_surface_refuses_the_blocked_person(blocked_world, method, path, json):
    ids = {"susan": blocked_world["susan"].id, "thread": blocked_world["thread"].id}
    if json is not None:
        json = {key: int(value.format(**ids)) if value.startswith("{") else value for key, value in json.items()}
    response = getattr(blocked_world["api"], method)(path.format(**ids), headers=blocked_world["headers"], json=json)
    assert response.status_code in (403, 404), (path, response.status_code)
    assert response.mimetype == "application/json"


def test_lists_leave_the_blockers_posts_out(blocked_world):
    site, api, headers = blocked_world["site"], blocked_world["api"], blocked_world["headers"]
    for path in ("/", "/explore", "/tag/plans", "/search?q=lighthouse"):
        page = site.get(path)
        assert page.status_code == 200 and "secret" not in page.text, path
    for path in ("/api/timeline", "/api/explore", "/api/search?q=lighthouse", "/api/tags/plans/posts"):
        items = api.get(path, headers=headers).get_json()["items"]
        assert not any("secret" in item["body"] for item in items), path
    users = api.get("/api/users", headers=headers).get_json()["items"]
    assert "susan" not in [user["username"] for user in users]


def test_the_follow_ended_and_a_new_one_is_refused(blocked_world):
    susan, mallory = blocked_world["susan"], blocked_world["mallory"]
    blocked_world["site"].post("/follow/susan")
    blocked_world["api"].post(f"/api/users/{susan.id}/follow", headers=blocked_world["headers"])
    db.session.expire_all()
    assert not db.session.get(User, mallory.id).is_following(db.session.get(User, susan.id))
    assert db.session.get(User, susan.id).followers_counter == 0


def test_nothing_reaches_the_blocker(blocked_world):
    susan = blocked_world["susan"]
    site = blocked_world["site"]
    site.post("/index", data={"post": "hey @susan, listen"})
    site.post("/send_message/susan", data={"message": "psst"})
    blocked_world["api"].post("/api/posts", headers=blocked_world["headers"], json={"body": "and @susan again"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity).where(Activity.user_id == susan.id)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mention)) == 0  # plain text, not a link
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 0
