"""Machine translation services: Microsoft Translator and LibreTranslate."""

import logging
from typing import Protocol

import requests

MS_TRANSLATOR_URL = "https://api.cognitive.microsofttranslator.com/translate"
# Seconds to wait for the service (connecting and reading each); tests lower it.
TIMEOUT_SECONDS = 10

log = logging.getLogger(__name__)


class Translator(Protocol):
    """A machine translation service."""

    name: str

    def translate(self, text: str, source_language: str, dest_language: str) -> str:
        """Return `text` in `dest_language`; raise requests/ValueError/LookupError on failure."""
        ...


class MicrosoftTranslator:
    """Azure AI Translator, text API v3.0."""

    name = "Microsoft Translator"

    def __init__(self, key: str, region: str | None = None, url: str = MS_TRANSLATOR_URL):
        self.key = key
        self.region = region
        self.url = url

    def translate(self, text: str, source_language: str, dest_language: str) -> str:
        """Translate one text with a POST /translate?api-version=3.0."""
        headers = {"Ocp-Apim-Subscription-Key": self.key, "Content-Type": "application/json"}
        if self.region:
            headers["Ocp-Apim-Subscription-Region"] = self.region
        params = {"api-version": "3.0", "to": dest_language}
        if source_language:
            params["from"] = source_language
        response = requests.post(
            self.url, params=params, headers=headers, json=[{"Text": text}], timeout=TIMEOUT_SECONDS
        )
        _raise_for_service_error(response)
        return _require_str(response.json()[0]["translations"][0]["text"])


class LibreTranslate:
    """A LibreTranslate server (self-hosted or libretranslate.com)."""

    name = "LibreTranslate"

    def __init__(self, url: str, api_key: str | None = None):
        self.url = url.rstrip("/") + "/translate"
        self.api_key = api_key

    def translate(self, text: str, source_language: str, dest_language: str) -> str:
        """Translate one text with a POST /translate."""
        payload = {"q": text, "source": source_language or "auto", "target": dest_language, "format": "text"}
        if self.api_key:
            payload["api_key"] = self.api_key
        response = requests.post(self.url, json=payload, timeout=TIMEOUT_SECONDS)
        _raise_for_service_error(response)
        return _require_str(response.json()["translatedText"])


def _raise_for_service_error(response: requests.Response) -> None:
    """Log the service's own error message, then raise for a 4xx/5xx answer."""
    if response.ok:
        return
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    # Microsoft answers {"error": {"code", "message"}}, LibreTranslate {"error": "message"}.
    detail = error.get("message") if isinstance(error, dict) else error
    log.warning("translation service answered %s: %s", response.status_code, detail or response.text[:200])
    response.raise_for_status()


def _require_str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"the translation service returned {type(value).__name__}, not text")
    return value
