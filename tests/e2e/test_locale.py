"""The site in a Spanish and a Chinese browser, the language menu, and live translation, in Chromium."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import log_in, register, write_post

SPANISH_POST = "Hoy he aprendido a traducir mensajes con Flask y estoy muy contento"


def choose_language(page: Page, menu: str, name: str) -> None:
    page.get_by_role("button", name=menu, exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


CASES = {
    "es-ES": {
        "lang": "es",
        "register_title": "Registrarse",
        "required": "Este campo es obligatorio.",
        "registered": "¡Enhorabuena, ya estás registrado!",
        "greeting": "¡Hola, {}!",
        "nav": ["Inicio", "Explorar", "Mensajes", "Perfil"],
        "logout": "Cerrar sesión",
        "posted": "¡Tu publicación ya está en línea!",
        "just_now": "hace unos segundos",
        "post": "Escribo desde Madrid con un café en la mano",
    },
    "zh-CN": {
        "lang": "zh",
        "register_title": "注册",
        "required": "该字段是必填字段。",
        "registered": "恭喜，你已注册成功！",
        "greeting": "{}，你好！",
        "nav": ["首页", "发现", "私信", "个人资料"],
        "logout": "退出",
        "posted": "你的动态已发布！",
        "just_now": "几秒前",
        "post": "今天天气很好，我们去公园散步吧",
    },
}


@pytest.mark.parametrize("browser_locale", CASES)
def test_browser_language_is_used_everywhere(open_page, start_live_server, browser_locale):
    case = CASES[browser_locale]
    page = open_page(start_live_server().url, locale=browser_locale)

    page.goto("/auth/register")
    expect(page.locator("html")).to_have_attribute("lang", case["lang"])
    expect(page.locator("h1")).to_have_text(case["register_title"])
    page.click("#submit")  # an empty form
    page.wait_for_load_state()
    expect(page.locator("#username ~ .invalid-feedback, .invalid-feedback").first).to_have_text(case["required"])

    register(page, "mei", case["registered"])
    log_in(page, "mei", case["greeting"].format("mei"))
    navbar = page.locator("nav.navbar")
    for label in case["nav"]:
        expect(navbar.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(navbar.get_by_role("button", name=case["logout"], exact=True)).to_be_visible()

    write_post(page, case["post"], case["posted"])
    post = page.locator("article").first
    expect(post.locator(".post-body")).to_have_text(case["post"])
    expect(post).to_contain_text(case["just_now"])
    expect(post.get_by_role("link", name=re.compile("Traducir|翻译|Translate"))).to_have_count(0)


def test_menu_choice_sticks_after_logout_and_login(open_page, start_live_server):
    url = start_live_server().url
    page = open_page(url, locale="en-US")
    register(page, "sam", "Congratulations, you are now a registered user!")
    log_in(page, "sam", "Hi, sam!")

    choose_language(page, "Language", "Español")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_text("¡Hola, sam!")

    page.get_by_role("button", name="Cerrar sesión", exact=True).click()
    page.wait_for_url("**/auth/login*")
    expect(page.locator("h1")).to_have_text("Iniciar sesión")  # the session remembers it too
    log_in(page, "sam", "¡Hola, sam!")

    # A new browser with an English Accept-Language: the account's choice wins.
    other = open_page(url, locale="en-US")
    log_in(other, "sam", "¡Hola, sam!")
    choose_language(other, "Idioma", "中文")
    expect(other.locator("h1")).to_have_text("sam，你好！")
    expect(other.locator("nav.navbar").get_by_role("link", name="发现", exact=True)).to_be_visible()


def test_translate_link_shows_a_spinner_then_the_text(open_page, start_live_server, libretranslate_service):
    libretranslate_service.delay = 0.6
    libretranslate_service.reply = lambda request: (200, {"translatedText": "<b>Today</b> I learned to translate"})
    url = start_live_server(LIBRETRANSLATE_URL=libretranslate_service.url).url

    author = open_page(url, locale="es-ES")
    register(author, "lucia", "¡Enhorabuena, ya estás registrado!")
    log_in(author, "lucia", "¡Hola, lucia!")
    write_post(author, SPANISH_POST, "¡Tu publicación ya está en línea!")

    reader = open_page(url, locale="en-US")
    register(reader, "tom", "Congratulations, you are now a registered user!")
    log_in(reader, "tom", "Hi, tom!")
    reader.goto("/explore")
    post = reader.locator("article").first
    link = post.get_by_role("link", name="Translate", exact=True)
    expect(link).to_be_visible()
    link.click()
    expect(post.locator(".spinner-border")).to_be_visible()
    holder = post.locator("[id^=translation]")
    expect(holder).to_have_text("<b>Today</b> I learned to translate")  # as text, never as HTML
    expect(holder.locator("b")).to_have_count(0)

    [request] = libretranslate_service.requests
    assert request.body["q"] == SPANISH_POST
    assert (request.body["source"], request.body["target"]) == ("es", "en")


def test_translation_failure_is_shown_in_the_post(open_page, start_live_server, libretranslate_service):
    libretranslate_service.reply = (403, {"error": "Invalid API key"})
    url = start_live_server(LIBRETRANSLATE_URL=libretranslate_service.url).url
    author = open_page(url, expected_failures="/translate", locale="en-US")
    register(author, "lucia", "Congratulations, you are now a registered user!")
    log_in(author, "lucia", "Hi, lucia!")
    write_post(author, "This is an English post about the weather today", "Your post is now live!")
    choose_language(author, "Language", "Español")
    author.goto("/explore")

    post = author.locator("article").first
    with author.expect_response("**/translate") as answer:
        post.get_by_role("link", name="Traducir", exact=True).click()
    assert answer.value.status == 503
    expect(post.locator("[id^=translation]")).to_have_text("Error: el servicio de traducción ha fallado.")
