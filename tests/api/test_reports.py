"""Reports through the API: POST /api/posts/<id>/report and /api/users/<id>/report."""

import sqlalchemy as sa

from app import moderation
from app.extensions import db
from app.models import Report, Role
from tests.support.api import assert_error, bearer, token_for
from tests.support.factories import PostFactory, UserFactory


def test_reporting_a_post_answers_the_report(client, user, other, headers):
    post = PostFactory(author=other, body="buy now")
    response = client.post(f"/api/posts/{post.id}/report", json={"reason": "spam", "comment": "ads"}, headers=headers)
    assert response.status_code == 201
    data = response.get_json()
    assert {k: data[k] for k in ("reason", "comment", "status", "post_id", "user_id")} == {
        "reason": "spam",
        "comment": "ads",
        "status": "open",
        "post_id": post.id,
        "user_id": other.id,
    }
    assert "reporter" not in str(data)
    report = db.session.get(Report, data["id"])
    assert (report.reporter_id, report.reported_id) == (user.id, other.id)


def test_reporting_an_account_with_no_comment(client, other, headers):
    response = client.post(f"/api/users/{other.id}/report", json={"reason": "abuse"}, headers=headers)
    assert response.status_code == 201
    assert response.get_json()["post_id"] is None and response.get_json()["comment"] is None


def test_a_second_open_report_of_the_same_thing_is_409(client, other, headers):
    assert client.post(f"/api/users/{other.id}/report", json={"reason": "spam"}, headers=headers).status_code == 201
    assert_error(
        client.post(f"/api/users/{other.id}/report", json={"reason": "other"}, headers=headers), 409, "Conflict"
    )
    assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 1


def test_a_bad_reason_or_a_long_comment_is_400(client, other, headers):
    for body in ({"reason": "boring"}, {}, {"reason": "spam", "comment": "x" * 501}, {"reason": "spam", "extra": 1}):
        assert_error(client.post(f"/api/users/{other.id}/report", json=body, headers=headers), 400, "Bad Request")
    assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 0


def test_reporting_oneself_is_400_and_an_unknown_target_404(client, user, headers):
    assert_error(
        client.post(f"/api/users/{user.id}/report", json={"reason": "spam"}, headers=headers), 400, "Bad Request"
    )
    own = PostFactory(author=user)
    assert_error(
        client.post(f"/api/posts/{own.id}/report", json={"reason": "spam"}, headers=headers), 400, "Bad Request"
    )
    assert_error(client.post("/api/posts/999999/report", json={"reason": "spam"}, headers=headers), 404, "Not Found")
    assert_error(client.post("/api/users/999999/report", json={"reason": "spam"}, headers=headers), 404, "Not Found")


def test_reporting_needs_a_token(client, other):
    assert_error(client.post(f"/api/users/{other.id}/report", json={"reason": "spam"}), 401, "Unauthorized")


def test_a_suspended_account_is_404_and_left_out_of_the_list_but_for_moderators(client, user, other, headers):
    boss = UserFactory(username="boss", role=Role.ADMINISTRATOR)
    moderation.suspend(other, boss, "spam")
    db.session.commit()
    assert_error(client.get(f"/api/users/{other.id}", headers=headers), 404, "Not Found")
    names = [item["username"] for item in client.get("/api/users", headers=headers).get_json()["items"]]
    assert names == ["susan", "boss"]
    moderator = bearer(token_for(client, "boss"))
    assert client.get(f"/api/users/{other.id}", headers=moderator).status_code == 200
    assert len(client.get("/api/users", headers=moderator).get_json()["items"]) == 3


def test_the_report_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/posts/{id}/report", "/api/users/{id}/report"):
        operation = paths[path]["post"]
        assert {"201", "400", "401", "404", "409"} <= set(operation["responses"]), path
