"""Live translation of posts through Microsoft Translator or LibreTranslate, over real HTTP."""

import re

import pytest
from flask import current_app

import app.translate
import app.translate.backends
from app.extensions import db
from tests.support.apps import make_app
from tests.support.auth import AuthActions
from tests.support.factories import PostFactory, UserFactory
from tests.support.live_server import free_port

SPANISH_POST = "Hoy he aprendido a traducir mensajes con Flask"


@pytest.fixture
def post(user):
    """A Spanish post by someone else, read by `user` (whose interface is English)."""
    return PostFactory(author=UserFactory(username="ana"), body=SPANISH_POST, language="es")


@pytest.fixture
def use_microsoft(app, microsoft_service):
    app.config.update(
        MS_TRANSLATOR_KEY="test-key",
        MS_TRANSLATOR_REGION="westeurope",
        MS_TRANSLATOR_URL=microsoft_service.url + "/translate",
    )
    return microsoft_service


@pytest.fixture
def use_libretranslate(app, libretranslate_service):
    app.config.update(LIBRETRANSLATE_URL=libretranslate_service.url + "/", LIBRETRANSLATE_API_KEY="libre-key")
    return libretranslate_service


def ask(client, post_id=None, dest="en", **fields):
    body = {"dest_language": dest, **fields}
    if post_id is not None:
        body["post_id"] = post_id
    return client.post("/translate", json=body, headers={"Accept": "application/json"})


# Microsoft Translator


def test_microsoft_gets_the_documented_request_and_its_answer_is_returned(logged_in, post, use_microsoft):
    response = ask(logged_in, post.id)
    assert response.status_code == 200
    assert response.get_json() == {"text": f"[en] {SPANISH_POST}"}
    [request] = use_microsoft.requests
    assert request.path == "/translate"
    assert request.query == {"api-version": ["3.0"], "from": ["es"], "to": ["en"]}
    assert request.headers["ocp-apim-subscription-key"] == "test-key"
    assert request.headers["ocp-apim-subscription-region"] == "westeurope"
    assert request.headers["content-type"] == "application/json"
    assert request.body == [{"Text": SPANISH_POST}]


def test_microsoft_without_a_region_sends_no_region_header(app, logged_in, post, use_microsoft):
    app.config["MS_TRANSLATOR_REGION"] = None
    assert ask(logged_in, post.id).status_code == 200
    assert "ocp-apim-subscription-region" not in use_microsoft.requests[0].headers


def test_microsoft_rejecting_the_key_is_a_503_with_a_message(app, logged_in, post, use_microsoft, caplog):
    app.config["MS_TRANSLATOR_KEY"] = "wrong-key"
    response = ask(logged_in, post.id)
    assert response.status_code == 503
    assert response.get_json() == {
        "error": "Service Unavailable",
        "message": "Error: the translation service failed.",
    }
    assert "credentials are missing or invalid" in caplog.text, "the service's own reason is logged"


def test_microsoft_failure_message_is_in_the_readers_language(logged_in, post, use_microsoft):
    use_microsoft.reply = (500, {"error": {"code": 500000, "message": "An unexpected error occurred."}})
    response = logged_in.post(
        "/translate",
        json={"post_id": post.id, "dest_language": "es"},
        headers={"Accept": "application/json", "Accept-Language": "es"},
    )
    assert response.status_code == 503
    assert response.get_json()["message"] == "Error: el servicio de traducción ha fallado."


# LibreTranslate


def test_libretranslate_gets_the_documented_request_and_its_answer_is_returned(logged_in, post, use_libretranslate):
    response = ask(logged_in, post.id, dest="zh")
    assert response.status_code == 200
    assert response.get_json() == {"text": f"[zh] {SPANISH_POST}"}
    [request] = use_libretranslate.requests
    assert request.path == "/translate"
    assert request.headers["content-type"] == "application/json"
    assert request.body == {"q": SPANISH_POST, "source": "es", "target": "zh", "format": "text", "api_key": "libre-key"}


def test_libretranslate_without_a_key_sends_none(app, logged_in, post, use_libretranslate):
    app.config["LIBRETRANSLATE_API_KEY"] = None
    assert ask(logged_in, post.id).status_code == 200
    assert "api_key" not in use_libretranslate.requests[0].body


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, "es is not supported as a source language"), (403, "Invalid API key"), (429, "Too many requests")],
)
def test_libretranslate_errors_are_a_503_with_a_message(logged_in, post, use_libretranslate, status, error):
    use_libretranslate.reply = (status, {"error": error})
    response = ask(logged_in, post.id)
    assert response.status_code == 503
    assert response.get_json()["message"] == "Error: the translation service failed."


def test_microsoft_is_preferred_when_both_are_configured(logged_in, post, use_microsoft, use_libretranslate):
    assert ask(logged_in, post.id).status_code == 200
    assert len(use_microsoft.requests) == 1
    assert use_libretranslate.requests == []


# Failures of any kind are a 503, never a 500


def test_a_slow_service_times_out_with_a_503(monkeypatch, logged_in, post, use_libretranslate):
    monkeypatch.setattr(app.translate.backends, "TIMEOUT_SECONDS", 0.3)
    use_libretranslate.delay = 1.5
    response = ask(logged_in, post.id)
    assert response.status_code == 503
    assert response.get_json()["message"] == "Error: the translation service did not answer in time."


def test_the_real_timeout_is_ten_seconds():
    assert app.translate.backends.TIMEOUT_SECONDS == 10


@pytest.mark.parametrize(
    "reply",
    [
        (200, {"unexpected": "shape"}),
        (200, []),
        (200, [{"translations": []}]),
        (200, [{"translations": [{"to": "en"}]}]),
    ],
)
def test_a_malformed_answer_is_a_503(logged_in, post, use_microsoft, reply):
    use_microsoft.reply = reply
    assert ask(logged_in, post.id).status_code == 503


def test_a_service_that_is_down_is_a_503(app, logged_in, post):
    app.config["LIBRETRANSLATE_URL"] = f"http://127.0.0.1:{free_port()}"
    response = ask(logged_in, post.id)
    assert response.status_code == 503
    assert response.get_json()["message"] == "Error: the translation service failed."


def test_no_configured_service_is_a_503(logged_in, post):
    response = ask(logged_in, post.id)
    assert response.status_code == 503
    assert response.get_json()["message"] == "Error: the translation service is not configured."


# The cache


def test_a_post_is_translated_once_per_language(logged_in, post, use_libretranslate):
    for _ in range(3):
        assert ask(logged_in, post.id).get_json() == {"text": f"[en] {SPANISH_POST}"}
    assert ask(logged_in, post.id, dest="zh").get_json() == {"text": f"[zh] {SPANISH_POST}"}
    assert [request.body["target"] for request in use_libretranslate.requests] == ["en", "zh"]


def test_failures_are_not_cached(logged_in, post, use_libretranslate):
    use_libretranslate.reply = (500, {"error": "busy"})
    assert ask(logged_in, post.id).status_code == 503
    use_libretranslate.reply = None
    assert ask(logged_in, post.id).status_code == 200
    assert len(use_libretranslate.requests) == 2


def test_the_cache_forgets_the_least_recently_used_translation(monkeypatch, logged_in, post, use_libretranslate):
    monkeypatch.setattr(app.translate, "CACHE_SIZE", 1)
    app.translate.init_app(current_app)
    other = PostFactory(author=post.author, body="Otra cosa que traducir hoy mismo", language="es")
    for post_id in (post.id, post.id, other.id, post.id):
        assert ask(logged_in, post_id).status_code == 200
    # The second ask was served from the cache; the third pushed the first post out of it.
    assert len(use_libretranslate.requests) == 3


def test_the_stored_post_is_translated_not_text_sent_by_the_client(logged_in, post, use_libretranslate):
    response = ask(logged_in, post.id, text="something else", source_language="fr")
    assert response.get_json() == {"text": f"[en] {SPANISH_POST}"}
    assert use_libretranslate.requests[0].body["source"] == "es"


def test_free_text_can_still_be_translated_without_the_cache(logged_in, use_microsoft):
    response = ask(logged_in, text="hola a todos", source_language="es")
    assert response.get_json() == {"text": "[en] hola a todos"}
    assert ask(logged_in, text="hola a todos", source_language="es").status_code == 200
    assert len(use_microsoft.requests) == 2


# The endpoint


@pytest.mark.parametrize(
    "body",
    [
        [],
        "text",
        {"post_id": 1},
        {"post_id": 1, "dest_language": "fr"},
        {"post_id": "1", "dest_language": "en"},
        {"post_id": True, "dest_language": "en"},
        {"post_id": 0, "dest_language": "en"},
        {"dest_language": "en"},
        {"dest_language": "en", "text": "hola", "source_language": ""},
        {"dest_language": "en", "text": "x" * 1001, "source_language": "es"},
    ],
)
def test_bad_requests_are_a_400(logged_in, use_libretranslate, body):
    response = logged_in.post("/translate", json=body, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["message"]
    assert use_libretranslate.requests == []


def test_an_unknown_post_is_a_404(logged_in, use_libretranslate):
    assert ask(logged_in, 9999).status_code == 404


def test_translation_needs_a_login(client, post, use_libretranslate):
    response = ask(client, post.id)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_translation_needs_the_csrf_header(libretranslate_service):
    csrf_app = make_app(WTF_CSRF_ENABLED=True, LIBRETRANSLATE_URL=libretranslate_service.url)
    with csrf_app.app_context():
        UserFactory(username="susan")
        post = PostFactory(author=UserFactory(username="ana"), body=SPANISH_POST, language="es")
        post_id = post.id
        db.session.remove()
    client = csrf_app.test_client()
    login_page = client.get("/auth/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page) or re.search(
        r'name="csrf-token" content="([^"]+)"', login_page
    )
    AuthActions(client).login("susan", csrf_token=token.group(1))
    page = client.get("/explore").text
    meta_token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    body = {"post_id": post_id, "dest_language": "en"}

    refused = client.post("/translate", json=body, headers={"Accept": "application/json"})
    assert refused.status_code == 400
    assert libretranslate_service.requests == []
    accepted = client.post("/translate", json=body, headers={"Accept": "application/json", "X-CSRFToken": meta_token})
    assert accepted.status_code == 200
    assert accepted.get_json() == {"text": f"[en] {SPANISH_POST}"}


# The "Translate" link


def translate_links(page) -> list[str]:
    return re.findall(r'class="translate-link" data-post-id="(\d+)"', page.text)


def test_link_shows_on_posts_in_another_language_only(app, logged_in, user, use_libretranslate):
    other = UserFactory(username="ana")
    spanish = PostFactory(author=other, body=SPANISH_POST, language="es")
    PostFactory(author=other, body="this one is written in English", language="en")
    PostFactory(author=other, body="ok", language="")
    assert translate_links(logged_in.get("/explore")) == [str(spanish.id)]


def test_link_follows_the_readers_language(logged_in, user, use_libretranslate):
    english = PostFactory(author=UserFactory(username="ana"), body="this one is written in English", language="en")
    page = logged_in.get("/explore", headers={"Accept-Language": "es"})
    assert translate_links(page) == [str(english.id)]
    assert 'data-dest="es"' in page.text


def test_no_link_without_a_configured_service(logged_in, post):
    assert translate_links(logged_in.get("/explore")) == []
