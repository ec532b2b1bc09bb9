"""The interface language: chosen from the menu or the browser, and applied to every kind of text."""

import re
import uuid

import pytest
from flask_babel import force_locale, get_locale

from app import tasks
from app.extensions import db, mail
from app.models import Task, User
from tests.support.apps import make_app
from tests.support.auth import AuthActions
from tests.support.factories import PostFactory, UserFactory
from tests.support.paths import STATIC_DIR


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]*)"', response.text).group(1)


def feedback(response) -> list[str]:
    """Return the form errors Bootstrap-Flask rendered."""
    return [text.strip() for text in re.findall(r'class="invalid-feedback[^"]*"[^>]*>(.*?)<', response.text, re.S)]


@pytest.mark.parametrize(
    ("header", "lang", "explore"),
    [
        ("es-ES,es;q=0.9", "es", "Explorar"),
        ("zh-CN,zh;q=0.9", "zh", "发现"),
        ("fr-FR", "en", "Explore"),
        (None, "en", "Explore"),
    ],
)
def test_accept_language_picks_the_interface_language(logged_in, header, lang, explore):
    headers = {"Accept-Language": header} if header else {}
    response = logged_in.get("/explore", headers=headers)
    assert html_lang(response) == lang
    assert f">{explore}</a>" in response.text


def test_anonymous_choice_is_kept_in_the_session(client, user):
    response = client.post("/language/zh", data={"next": "/auth/login"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    page = client.get("/auth/login", headers={"Accept-Language": "es"})
    assert html_lang(page) == "zh"
    assert "<h1>登录</h1>" in page.text


def test_choice_is_saved_on_the_account_and_survives_logout_and_a_new_browser(app, client, auth, user):
    auth.login("susan")
    client.post("/language/es", data={"next": "/index"})
    assert db.session.get(User, user.id).locale == "es"
    auth.logout()

    other_browser = app.test_client()
    AuthActions(other_browser).login("susan")
    page = other_browser.get("/index", headers={"Accept-Language": "zh-CN"})
    assert html_lang(page) == "es"
    assert "¡Hola, susan!" in page.text


def test_account_choice_wins_over_the_session(client, auth, user):
    user.locale = "zh"
    db.session.commit()
    client.post("/language/es")
    auth.login("susan")
    assert html_lang(client.get("/index")) == "zh"


def test_unknown_language_is_404_and_changes_nothing(logged_in, user):
    assert logged_in.post("/language/fr").status_code == 404
    assert user.locale is None


def test_language_switch_ignores_a_foreign_next_url(client):
    response = client.post("/language/es", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/index"


def test_language_switch_needs_the_csrf_token():
    app = make_app(WTF_CSRF_ENABLED=True)
    assert app.test_client().post("/language/es").status_code == 400


def test_language_switch_is_post_only(client):
    assert client.get("/language/es").status_code == 405


def test_menu_offers_every_language_in_its_own_name(client):
    page = client.get("/auth/login", headers={"Accept-Language": "zh"})
    for code, name in [("en", "English"), ("es", "Español"), ("zh", "中文")]:
        assert re.search(rf'action="/language/{code}".*?lang="{code}"[^>]*>{name}<', page.text, re.S)
    assert 'aria-current="true">中文<' in page.text


@pytest.mark.parametrize(
    ("lang", "required", "invalid_email", "length", "mismatch"),
    [
        ("es", "Este campo es obligatorio.", "Email inválido.", "entre 8 y 128", "Las contraseñas deben coincidir."),
        ("zh", "该字段是必填字段。", "无效的 Email 地址。", "8 到 128", "两次输入的密码必须一致。"),
    ],
)
def test_form_labels_and_validation_errors_are_translated(client, lang, required, invalid_email, length, mismatch):
    response = client.post(
        "/auth/register",
        data={"username": "", "email": "not-an-address", "password": "short", "password2": "other"},
        headers={"Accept-Language": lang},
    )
    errors = feedback(response)
    assert required in errors  # WTForms' own message, from its catalogue
    assert invalid_email in errors
    assert any(length in error for error in errors)
    assert mismatch in errors  # ours
    label = {"es": "Repite la contraseña", "zh": "再次输入密码"}[lang]
    assert f">{label}</label>" in response.text


def test_username_taken_and_custom_validators_are_translated(client, user):
    response = client.post(
        "/auth/register",
        data={"username": "susan", "email": "a@example.com", "password": "long enough", "password2": "long enough"},
        headers={"Accept-Language": "es"},
    )
    assert "Por favor, elige otro nombre de usuario." in feedback(response)


@pytest.mark.parametrize(
    ("lang", "message"),
    [("es", "Nombre de usuario o contraseña incorrectos"), ("zh", "用户名或密码错误")],
)
def test_flash_messages_are_translated(client, user, lang, message):
    response = client.post(
        "/auth/login",
        data={"username": "susan", "password": "wrong password"},
        headers={"Accept-Language": lang},
        follow_redirects=True,
    )
    assert message in response.text


def test_login_required_message_is_translated(client):
    page = client.get("/explore", headers={"Accept-Language": "zh"}, follow_redirects=True)
    assert "请登录后访问此页面。" in page.text


@pytest.mark.parametrize(
    ("lang", "title", "message"),
    [
        ("es", "No encontrado", "No se encontró la página"),
        ("zh", "未找到", "找不到页面"),
        ("en", "Not Found", "File Not Found"),
    ],
)
def test_error_pages_are_translated(client, lang, title, message):
    response = client.get("/no/such/page", headers={"Accept-Language": lang})
    assert response.status_code == 404
    assert f"<title>{title} - Microblog</title>" in response.text
    assert f"<h1>{title}</h1>" in response.text
    assert message in response.text
    assert html_lang(response) == lang


def test_json_errors_carry_a_translated_message(logged_in):
    response = logged_in.get("/notifications?since=x", headers={"Accept-Language": "es"})
    assert response.status_code == 400
    assert response.get_json()["message"] == "since debe ser un número."


def test_password_reset_email_is_translated(client, user):
    with mail.record_messages() as outbox:
        client.post(
            "/auth/reset_password_request", data={"email": "susan@example.com"}, headers={"Accept-Language": "es"}
        )
    [message] = outbox
    assert message.subject == "[Microblog] Restablece tu contraseña"
    assert "Hola, susan:" in message.body
    assert "Para restablecer tu contraseña, abre el siguiente enlace:" in message.body
    assert "El equipo de Microblog" in message.body
    assert "Restablecer tu contraseña</a>" in message.html
    assert "caduca en 10 minutos" in message.html


def test_export_email_uses_the_account_language(app, user):
    user.locale = "zh"
    PostFactory(author=user, body="一条动态")
    db.session.commit()
    with mail.record_messages() as outbox:
        tasks.export_posts(user.id)
    [message] = outbox
    assert message.subject == "[Microblog] 你的动态存档"
    assert "susan，你好：" in message.body
    assert "附件是你申请导出的动态存档。" in message.html
    assert "Microblog 团队" in message.html


def test_javascript_texts_come_translated_through_data_attributes(logged_in, app, user):
    app.config["LIBRETRANSLATE_URL"] = "http://127.0.0.1:9"
    PostFactory(author=UserFactory(username="ana"), body="this post is written in English", language="en")
    page = logged_in.get("/explore", headers={"Accept-Language": "es"})
    assert 'data-error-text="Error: no se pudo contactar con el servidor."' in page.text
    assert 'data-translating-text="Traduciendo…"' in page.text
    assert ">Traducir</a>" in page.text
    assert 'data-dest="es"' in page.text


def test_task_failure_text_for_javascript_is_translated(logged_in, user):
    db.session.add(Task(id=str(uuid.uuid4()), name="export_posts", description="Exportando", user=user))
    db.session.commit()
    page = logged_in.get("/index", headers={"Accept-Language": "zh"})
    assert 'data-failed-text="任务失败了。你可以在个人资料页重新开始。"' in page.text
    assert "<script>" not in page.text, "no inline script: the CSP forbids it"


def test_moment_gets_the_page_language():
    """app.js reads <html lang> and maps zh to moment's zh-cn locale, which the bundle contains."""
    static = STATIC_DIR
    script = (static / "js" / "app.js").read_text(encoding="utf-8")
    assert "document.documentElement.lang" in script
    assert "locale === 'zh' ? 'zh-cn'" in script
    bundle = static / "vendor" / "moment" / "moment-with-locales.min.js"
    if bundle.exists():
        text = bundle.read_text(encoding="utf-8")
        assert 'defineLocale("zh-cn"' in text and 'defineLocale("es"' in text


def test_locale_outside_a_request_is_the_default(app):
    assert str(get_locale()) == "en"
    with force_locale("es"):
        assert str(get_locale()) == "es"
