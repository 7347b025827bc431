"""What each domain error code says to a person, in their language."""
from flask_babel import lazy_gettext as _l

from .domain.errors import DomainError

MESSAGES = {
    "not_found": _l("This no longer exists. Please reload the page."),
    "forbidden": _l("You are not allowed to do that."),
    "invalid_input": _l("That input was not understood. Please check it and try again."),
    "text_empty": _l("Please write something first."),
    "text_too_long": _l("That is too long: at most %(max)s characters."),
    "board_closed": _l("This board is closed for new ideas right now."),
    "idea_limit_reached": _l("You have reached the limit of %(max)s ideas on this board."),
    "board_not_empty": _l("The board “%(title)s” already has ideas and cannot be removed."),
    "sign_in_link_invalid": _l("This sign-in link is not valid any more. Ask for a new one."),
    "not_joined": _l("Please join the workshop first."),
    "round_closed": _l("Voting has ended for this round."),
    "vote_budget_exceeded": _l("You have used all your %(max)s dots."),
    "item_cap_reached": _l("At most %(max)s dots can go on one item."),
    "already_counted": _l("This dot was already counted."),
    "own_idea_not_allowed": _l("In this round, dots may not go on your own ideas."),
    "muted": _l("The facilitation has paused posting from this phone. Please speak to them."),
    "rate_limited": _l("You are sending very fast. Please wait a moment and try again."),
    "server_error": _l("Something went wrong on the server. Please try again in a moment."),
    "unknown_event": _l("That input was not understood. Please check it and try again."),
    "field_required": _l("Please fill in “%(label)s”."),
    "field_label_taken": _l("There is already a field called “%(label)s”."),
    "heading_conflict": _l("A colleague has just renamed this cluster to “%(current)s”. Your "
                           "heading “%(heading)s” was not saved: type it again to replace theirs."),
}

# Where the field says more than the code: which name, which code, which password.
FIELD_MESSAGES = {
    "name_taken": _l("That name is already in use."),
    "password": _l("The password needs at least %(min)s characters."),
    "join_code": _l("There is no workshop with this code. Please check the code."),
    "history": _l("There is nothing to undo or redo."),
}


def message_for(error: DomainError) -> str:
    template = FIELD_MESSAGES.get(error.params.get("field")) or MESSAGES.get(
        error.code, MESSAGES["invalid_input"])
    return str(template) % error.params
