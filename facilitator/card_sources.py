"""How a card reached the board, in words for people (console, exports, record)."""
from flask_babel import lazy_gettext as _l

SOURCE_LABELS = {
    "phone": _l("phone"),
    "on_behalf": _l("on behalf"),
    "paper": _l("paper card"),
    "tablet": _l("shared tablet"),
}


def source_label(source: str | None) -> str:
    return str(SOURCE_LABELS.get(source or "phone", SOURCE_LABELS["phone"]))
