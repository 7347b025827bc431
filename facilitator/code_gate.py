"""Join codes from outside. Every path that takes one (the start page's form, /join, /w, /qr,
/poster and the phone's socket) gives the same answer for a code that does not exist and counts
it against one limit per address.

Only misses count, and a code that exists is always let in, even from an address over the limit:
a whole hall joins through one venue router, so one person trying codes (or a table of typos)
must not lock everyone else out. What keeps a workshop from being found is the size of the code
space (31**8 codes, see domain/workshops.py); the limit keeps probing slow and visible."""
import time

import limits
from flask import current_app, request
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import NotFound as HTTPNotFound
from werkzeug.exceptions import TooManyRequests

from .domain import workshops
from .domain.errors import DomainError, NotFound
from .extensions import db, limiter

# A hall of 200 mistyping now and then stays far below this; a script reaches it in a second.
WRONG_CODES = limits.parse("30/minute")
SOCKET_REFUSAL = "forbidden"


class UnknownCode(HTTPNotFound):
    """No workshop has this code (the same page on every path)."""


class TooManyWrongCodes(TooManyRequests):
    """This address has tried too many codes that do not exist; it may try again later."""


def miss_and_wait() -> int | None:
    """Count a wrong code from this address: the seconds to wait when over the limit, else None."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    address = get_remote_address()
    if limiter.limiter.hit(WRONG_CODES, "wrong-code", address):
        return None
    reset_at, _remaining = limiter.limiter.get_window_stats(WRONG_CODES, "wrong-code", address)
    return max(1, int(reset_at - time.time()) + 1)


def refuse_unknown_code():
    """The one answer to a code that does not exist: 404, or 429 with Retry-After over the limit."""
    wait = miss_and_wait()
    if wait is not None:
        raise TooManyWrongCodes(retry_after=wait)
    raise UnknownCode()


def workshop_for_code(code: str):
    """The workshop with this join code (and its language for the page), or the refusal."""
    try:
        workshop = workshops.find_by_join_code(db.session, code)
    except NotFound:
        refuse_unknown_code()
    request.workshop_language = workshop.language
    return workshop


def socket_refusal(error: DomainError) -> str:
    """What a refused socket hears: one word whether the code exists or not (a phone without a
    token for a real code gets the same), and a wrong code counts like one typed on a page."""
    if isinstance(error, NotFound) and error.params.get("field") == "join_code":
        miss_and_wait()
    return SOCKET_REFUSAL
