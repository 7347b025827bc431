"""The workshop's content in the language of this request, for pages rendered on the server."""
from flask_babel import get_locale

from . import language_code
from .domain import translations


def content_text(workshop, kind: str, key, field: str, original: str) -> str:
    """The facilitator's translation into this request's language, else the original."""
    return translations.translated(translations.content_map(workshop), kind, key, field,
                                   language_code(get_locale())) or original
