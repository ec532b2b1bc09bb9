"""Language detection of post bodies (app.translate.detect_language)."""

import pytest

from app.translate import detect_language

ENGLISH = "The weather is lovely today and we are going to the park."
SPANISH = "Hoy hace muy buen tiempo y vamos a ir al parque con los niños."
CHINESE = "我们今天去公园散步，天气非常好。"


@pytest.mark.parametrize(("text", "expected"), [(ENGLISH, "en"), (SPANISH, "es")])
def test_clear_sentence_is_detected(text, expected):
    assert detect_language(text) == expected


def test_chinese_is_reported_as_zh_not_zh_cn():
    assert detect_language(CHINESE) == "zh"


@pytest.mark.parametrize("text", ["我今天很高兴", "今天天气很好，我们去公园吧。"])
def test_short_chinese_without_spaces_is_zh(text):
    # langdetect alone says Korean or is unsure on short Han-only text.
    assert detect_language(text) == "zh"


def test_japanese_sentence_without_spaces_is_detected():
    assert detect_language("こんにちは、今日はとても良い天気ですね。") == "ja"


@pytest.mark.parametrize("text", ["", "   ", "hello", "hello world", "Hola amigos", "123 456 789", "!!! ??? ..."])
def test_short_or_wordless_text_is_unknown(text):
    assert detect_language(text) == ""


@pytest.mark.parametrize("text", [ENGLISH, SPANISH, CHINESE, "ok so maybe", "Das ist gut"])
def test_detection_is_deterministic(text):
    answers = {detect_language(text) for _ in range(5)}
    assert len(answers) == 1


@pytest.mark.parametrize(
    "text", [ENGLISH, SPANISH, CHINESE, "Bonjour tout le monde, je suis très content de vous voir."]
)
def test_detected_code_fits_the_post_language_column(text):
    assert 0 < len(detect_language(text)) <= 5
