"""A seam for a self-hosted machine translation service (e.g. LibreTranslate run by the county).

Off by default: `translator_for(None)` answers nothing. Configured by URL only; no third-party
cloud is built in. A suggestion is only ever a proposal a person confirms before it is saved.
"""
import json
import urllib.error
import urllib.request
from typing import Protocol


class Translator(Protocol):
    available: bool

    def suggest(self, text: str, source: str, target: str) -> str | None:
        """A proposed translation, or None when there is none."""


class NoTranslator:
    """The default: no service, no suggestions."""
    available = False

    def suggest(self, text: str, source: str, target: str) -> str | None:
        return None


class HttpTranslator:
    """A LibreTranslate-compatible service: POST {q, source, target, format} → {translatedText}.
    Any failure (down, slow, odd answer) means no suggestion: the host types it instead."""
    available = True

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        self.url = url
        self.timeout = timeout

    def suggest(self, text: str, source: str, target: str) -> str | None:
        body = json.dumps({"q": text, "source": source or "auto", "target": target,
                           "format": "text"}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read(100_000))
        except (OSError, ValueError, urllib.error.URLError):
            return None
        suggestion = answer.get("translatedText") if isinstance(answer, dict) else None
        return suggestion.strip() or None if isinstance(suggestion, str) else None


def translator_for(url: str | None) -> Translator:
    return HttpTranslator(url) if url else NoTranslator()
