"""Forms (Flask-WTF adds the CSRF token). Business rules stay in the domain; these only parse."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, FieldList, FormField, HiddenField, PasswordField,
                     RadioField, SelectField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.form import Form

from .domain import stocktaking
from .domain.workshops import COLOURS, LANGUAGES, BoardSpec, WorkshopSpec
from .models import NAME_MAX_CHARS

COLOUR_LABELS = {"yellow": _l("Yellow"), "blue": _l("Blue"), "green": _l("Green"),
                 "pink": _l("Pink"), "orange": _l("Orange"), "purple": _l("Purple"),
                 "teal": _l("Teal"), "grey": _l("Grey")}
LANGUAGE_LABELS = {"de": "Deutsch", "en": "English"}
NEW_BOARD_ROWS = 3


class CodeForm(FlaskForm):
    code = StringField(_l("Join code"), validators=[DataRequired()])


class JoinForm(FlaskForm):
    # In the order of the page: the error summary lists refusals in this order.
    board = RadioField(_l("Choose your table"), coerce=int,
                       validators=[DataRequired(_l("Please choose your table."))])
    # The domain checks the name again; said here too, every refusal shows in one answer.
    display_name = StringField(_l("Your name (optional)"), validators=[Length(
        max=NAME_MAX_CHARS, message=_l("That is too long: at most %(max)s characters."))])
    stakeholder_group = SelectField(_l("You are here as (optional)"), coerce=str)


class SignInForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired()])


class FacilitatorForm(FlaskForm):
    name = StringField(_l("Name of the new facilitator"), validators=[DataRequired()])


class BoardRow(Form):
    board_id = HiddenField()
    title = StringField(_l("Title"))
    question = StringField(_l("Guiding question"))
    colour = SelectField(_l("Colour"), choices=[(c, COLOUR_LABELS[c]) for c in COLOURS])
    remove = BooleanField(_l("Remove"))
    # Not sent (an older form, a script): the board keeps its kind. The domain checks the value.
    kind = SelectField(_l("Kind"), validate_choice=False, choices=[
        ("cards", _l("Cards")), ("stocktaking", _l("Stock-taking (Bestandsaufnahme)"))])


class WorkshopForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired()])
    event_date = DateField(_l("Date"), validators=[Optional()])
    place = StringField(_l("Place"))
    organiser = StringField(_l("Organiser (for the documentation's cover)"))
    process_title = StringField(_l("Part of the process (optional)"))
    purpose = TextAreaField(_l("Purpose of the event (Anlass und Ziel)"))
    language = SelectField(_l("Language of the workshop"),
                           choices=[(code, LANGUAGE_LABELS[code]) for code in LANGUAGES])
    stakeholder_groups = TextAreaField(_l("Stakeholder groups participants may choose, one per line"))
    boards = FieldList(FormField(BoardRow))

    def fill_boards(self, workshop=None) -> None:
        """Existing boards first, then empty rows for new ones."""
        if workshop is not None and not self.is_submitted():
            # `obj=workshop` filled the rows from Board objects, without their ids: start over.
            while self.boards.entries:
                self.boards.pop_entry()
            self.stakeholder_groups.data = "\n".join(g.name for g in workshop.stakeholder_groups)
            self.process_title.data = workshop.process.title if workshop.process else ""
            for board in workshop.boards:
                self.boards.append_entry({"board_id": board.id, "title": board.title,
                                          "question": board.question, "colour": board.colour,
                                          "kind": stocktaking.kind_of(board)})
        if not self.is_submitted():
            taken = len(self.boards.entries)
            for index in range(NEW_BOARD_ROWS if taken else 6):
                self.boards.append_entry({"colour": COLOURS[(taken + index) % len(COLOURS)]})

    def spec(self) -> WorkshopSpec:
        boards = tuple(
            BoardSpec(title=row.title.data or "", question=row.question.data or "",
                      colour=row.colour.data, remove=bool(row.remove.data),
                      kind=row.kind.data if row.kind.raw_data else None,
                      id=int(row.board_id.data) if (row.board_id.data or "").isdigit() else None)
            for row in self.boards
            if (row.title.data or "").strip() or (row.board_id.data or "").isdigit())
        return WorkshopSpec(
            title=self.title.data or "", event_date=self.event_date.data,
            place=self.place.data or "", purpose=self.purpose.data or "",
            language=self.language.data, process_title=self.process_title.data or "",
            organiser=self.organiser.data or "",
            stakeholder_groups=tuple((self.stakeholder_groups.data or "").splitlines()),
            boards=boards)
