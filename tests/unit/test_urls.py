"""`id_url` and `fixed_url` build exactly what `url_for` builds, under any script root."""

import pytest
from flask import url_for

from app.web.urls import fixed_url, id_url

ENDPOINTS = ["api.get_user", "api.get_followers", "api.get_following", "api.get_post"]


@pytest.mark.parametrize("script_root", ["", "/blog", "/deep/mount"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_id_url_matches_url_for(app, endpoint, script_root):
    with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
        for id in (1, 7, 42, 918_273_645, 2**31 - 1):
            assert id_url(endpoint, id) == url_for(endpoint, id=id)
        assert id_url(endpoint, 3).startswith(f"{script_root}/api/")


def test_id_url_outside_a_request_falls_back_to_url_for(app):
    app.config["SERVER_NAME"] = "microblog.example"
    with app.app_context():
        assert id_url("api.get_user", 5) == "http://microblog.example/api/users/5"


def test_id_url_refuses_a_non_integer_id(app):
    with app.test_request_context("/"), pytest.raises(ValueError):
        id_url("api.get_user", "5/../../admin")


LAYOUT_LINKS = [
    ("main.index", {}),
    ("main.set_language", {"code": "es"}),
    ("static", {"filename": "css/app.css"}),
    ("static", {"filename": "js/app.js"}),
]


def test_fixed_url_matches_url_for_under_each_script_root(app):
    for script_root in ("", "/blog", "/deep/mount"):
        for _ in range(2):  # built, then served from the app's store
            with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
                for endpoint, values in LAYOUT_LINKS:
                    assert fixed_url(endpoint, **values) == url_for(endpoint, **values)
                assert fixed_url("main.explore").startswith(f"{script_root}/")


def test_fixed_url_keeps_each_value_apart(app):
    with app.test_request_context("/"):
        assert fixed_url("main.set_language", code="es") != fixed_url("main.set_language", code="zh")
        assert "?v=" in fixed_url("static", filename="css/app.css")  # the fingerprint, as url_for adds it
