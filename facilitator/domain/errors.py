"""Named domain errors. Each carries a stable `code`; the web layer turns codes into messages."""


class DomainError(Exception):
    code = "invalid"

    def __init__(self, detail: str = "", **params) -> None:
        super().__init__(detail or self.code)
        self.params = params


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class InvalidInput(DomainError):
    """Input of the wrong type, empty, or too long; `field` names what was wrong."""
    code = "invalid_input"


class TextTooLong(InvalidInput):
    code = "text_too_long"


class TextEmpty(InvalidInput):
    code = "text_empty"


class BoardClosed(DomainError):
    code = "board_closed"


class IdeaLimitReached(DomainError):
    code = "idea_limit_reached"


class BoardNotEmpty(DomainError):
    code = "board_not_empty"


class SignInLinkInvalid(DomainError):
    code = "sign_in_link_invalid"


class RoundClosed(DomainError):
    code = "round_closed"


class VoteBudgetExceeded(DomainError):
    code = "vote_budget_exceeded"


class ItemCapReached(DomainError):
    code = "item_cap_reached"


class AlreadyCounted(DomainError):
    code = "already_counted"


class OwnIdeaNotAllowed(DomainError):
    code = "own_idea_not_allowed"



class HeadingConflict(DomainError):
    """A colleague renamed the cluster after this facilitator began typing; `current` is their
    heading, `heading` the one that was not saved."""
    code = "heading_conflict"


class FieldRequired(InvalidInput):
    """A required field of a stock-taking card is empty; `label` names it."""
    code = "field_required"


class FieldLabelTaken(InvalidInput):
    """Two fields of a stock-taking board would have the same label."""
    code = "field_label_taken"
