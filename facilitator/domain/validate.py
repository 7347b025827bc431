"""Checks on untrusted input shared by every domain module."""
import re

from .errors import InvalidInput, TextEmpty, TextTooLong

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def text(value, max_chars: int, field: str = "text", required: bool = True) -> str:
    """Clean user text: strings only, control characters removed, newlines normalised, trimmed."""
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(field=field)
    cleaned = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if required and not cleaned:
        raise TextEmpty(field=field)
    if len(cleaned) > max_chars:
        raise TextTooLong(field=field, max=max_chars)
    return cleaned


# The widest integer every database stores (PostgreSQL INTEGER); SQLite overflows at 2**63.
# Larger ids and numbers are refused as invalid here instead of failing in the driver.
INTEGER_LIMIT = 2 ** 31 - 1


def integer(value, field: str, minimum: int | None = None, maximum: int | None = None) -> int:
    # bool is an int in Python; a JSON true must not pass as 1.
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > INTEGER_LIMIT:
        raise InvalidInput(field=field)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise InvalidInput(field=field)
    return value


def flag(value, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(field=field)
    return value


def client_id(value) -> str:
    if not isinstance(value, str) or not _CLIENT_ID.match(value):
        raise InvalidInput(field="client_id")
    return value
