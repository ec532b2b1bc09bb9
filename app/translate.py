"""Translate text with Microsoft Translator or a LibreTranslate server, as configured."""

import logging

import requests
from flask import current_app
from flask_babel import _

MS_TRANSLATOR_URL = "https://api.cognitive.microsofttranslator.com/translate"
TIMEOUT_SECONDS = 10

log = logging.getLogger(__name__)


class TranslationUnavailable(RuntimeError):
    """No translator is configured, or the configured one failed."""


def translator_configured() -> bool:
    """Return whether a translation backend is configured."""
    config = current_app.config
    return bool(config.get("MS_TRANSLATOR_KEY") or config.get("LIBRETRANSLATE_URL"))


def translate(text: str, source_language: str, dest_language: str) -> str:
    """Return `text` translated into `dest_language`, or raise TranslationUnavailable."""
    config = current_app.config
    try:
        if config.get("MS_TRANSLATOR_KEY"):
            return _microsoft(text, source_language, dest_language)
        if config.get("LIBRETRANSLATE_URL"):
            return _libretranslate(text, source_language, dest_language)
    except (requests.RequestException, ValueError, KeyError, IndexError, TypeError):
        log.warning("translation from %s to %s failed", source_language, dest_language, exc_info=True)
        raise TranslationUnavailable(_("Error: the translation service failed.")) from None
    raise TranslationUnavailable(_("Error: the translation service is not configured."))


def _microsoft(text: str, source_language: str, dest_language: str) -> str:
    config = current_app.config
    headers = {"Ocp-Apim-Subscription-Key": config["MS_TRANSLATOR_KEY"], "Content-Type": "application/json"}
    if config.get("MS_TRANSLATOR_REGION"):
        headers["Ocp-Apim-Subscription-Region"] = config["MS_TRANSLATOR_REGION"]
    response = requests.post(
        config.get("MS_TRANSLATOR_URL", MS_TRANSLATOR_URL),
        params={"api-version": "3.0", "from": source_language, "to": dest_language},
        headers=headers,
        json=[{"Text": text}],
        timeout=TIMEOUT_SECONDS,
    )
    response.raise_for_status()
    return response.json()[0]["translations"][0]["text"]


def _libretranslate(text: str, source_language: str, dest_language: str) -> str:
    config = current_app.config
    payload = {"q": text, "source": source_language, "target": dest_language, "format": "text"}
    if config.get("LIBRETRANSLATE_API_KEY"):
        payload["api_key"] = config["LIBRETRANSLATE_API_KEY"]
    url = config["LIBRETRANSLATE_URL"].rstrip("/") + "/translate"
    response = requests.post(url, json=payload, timeout=TIMEOUT_SECONDS)
    response.raise_for_status()
    return response.json()["translatedText"]
