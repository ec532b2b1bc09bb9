"""The bigger body limit of the views marked `accepts_uploads` (app.web.uploads)."""

import io

import pytest
from flask import request

from app.web.uploads import accepts_uploads
from tests.support.apps import make_app, pushed


@pytest.fixture
def limits_app():
    app = make_app(MAX_CONTENT_LENGTH=1000, MAX_UPLOAD_LENGTH=5000)

    @app.post("/plain")
    def plain():
        return str(len(request.get_data()))

    @app.post("/upload")
    @accepts_uploads
    def upload():
        return str(len(request.files["file"].read()))

    yield from pushed(app)


def test_a_plain_view_keeps_the_small_limit(limits_app):
    client = limits_app.test_client()
    assert client.post("/plain", data=b"x" * 900).status_code == 200
    assert client.post("/plain", data=b"x" * 1100).status_code == 413


def test_an_upload_view_takes_up_to_its_own_limit(limits_app):
    client = limits_app.test_client()
    response = client.post("/upload", data={"file": (io.BytesIO(b"x" * 3000), "a.bin")})
    assert response.status_code == 200
    assert response.text == "3000"
    too_big = client.post("/upload", data={"file": (io.BytesIO(b"x" * 6000), "a.bin")})
    assert too_big.status_code == 413
