"""Workshop content in more languages, and translations of single cards.

The facilitator translates the content (title, purpose, board titles and questions, group names,
vote questions, consent options); phones show their own language with the original one tap
away, the projector may add one second language. A card keeps its original text and may carry
one translation, always shown as a translation.
"""
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import IDEA_MAX_CHARS, ContentTranslation, Idea, VoteRound, Workshop
from . import validate
from .changes import Change, commit_and_announce, next_seq
from .errors import InvalidInput, NotFound

# BCP 47 primary language (and an optional region or script): "ar", "prs", "de-simple".
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
CONTENT_MAX_CHARS = 4000
# What can be translated, by kind of row.
FIELDS = {"workshop": ("title", "purpose"), "board": ("title", "question"), "group": ("name",),
          "round": ("question",), "option": ("text",),
          # A stock-taking board's card field (domain/stocktaking.py): key "board id:field key".
          "cardfield": ("label",)}


@dataclass
class Field:
    """One translatable field as the translation screen lists it."""
    kind: str
    key: str
    field: str
    original: str

    @property
    def name(self) -> str:
        """The form field's name: kind.key.field (keys contain no dots)."""
        return f"{self.kind}.{self.key}.{self.field}"


def language(value, field: str = "lang") -> str:
    if not isinstance(value, str) or not _LANG.match(value):
        raise InvalidInput(field=field)
    return value


def fields_of(session: Session, workshop: Workshop) -> list[Field]:
    """Every translatable field of the workshop, in the order a facilitator reads them."""
    rows = [Field("workshop", str(workshop.id), "title", workshop.title),
            Field("workshop", str(workshop.id), "purpose", workshop.purpose or "")]
    for board in workshop.boards:
        rows += [Field("board", str(board.id), "title", board.title),
                 Field("board", str(board.id), "question", board.question or "")]
        rows += [Field("cardfield", f"{board.id}:{f['key']}", "label", f["label"])
                 for f in board.card_fields or ()]
    rows += [Field("group", str(group.id), "name", group.name)
             for group in workshop.stakeholder_groups]
    for round_ in session.scalars(select(VoteRound).where(
            VoteRound.workshop_id == workshop.id).order_by(VoteRound.id)):
        rows.append(Field("round", str(round_.id), "question", round_.question or ""))
        rows += [Field("option", f"{round_.id}:{option['id']}", "text", option.get("text", ""))
                 for option in round_.options or []]
    return [row for row in rows if row.original]


def content_map(workshop: Workshop) -> dict:
    """{kind: {key: {field: {lang: text}}}}: what screens need to show any language."""
    mapping: dict = {}
    for row in workshop.content_translations:
        (mapping.setdefault(row.kind, {}).setdefault(row.object_key, {})
         .setdefault(row.field, {}))[row.lang] = row.text
    return mapping


def translated(mapping: dict, kind: str, key, field: str, lang: str | None) -> str | None:
    """The translation of one field into `lang`, or None."""
    if not lang:
        return None
    return mapping.get(kind, {}).get(str(key), {}).get(field, {}).get(lang)


def save_content(session: Session, workshop_id: int, lang, texts: dict[str, str]) -> Workshop:
    """Store the facilitator's translations into one language (`texts` by Field.name); an empty
    text removes a translation. Screens hear it as a workshop update."""
    lang = language(lang)
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound(field="workshop_id")
    known = {row.name for row in fields_of(session, workshop)}
    cleaned = {}
    for name, text in texts.items():
        if name not in known:
            raise InvalidInput(field=name)
        cleaned[name] = validate.text(text, CONTENT_MAX_CHARS, name, required=False)
    seq = next_seq(session, workshop_id)
    existing = {(row.kind, row.object_key, row.field): row
                for row in workshop.content_translations if row.lang == lang}
    for name, text in cleaned.items():
        kind, key, field = name.split(".")
        row = existing.get((kind, key, field))
        if not text:
            if row is not None:
                workshop.content_translations.remove(row)
        elif row is None:
            workshop.content_translations.append(ContentTranslation(
                kind=kind, object_key=key, field=field, lang=lang, text=text))
        else:
            row.text = text
    workshop.updated_seq = seq
    commit_and_announce(session, Change("workshop_updated", workshop_id, seq, workshop=workshop))
    return workshop


def set_projector_language(session: Session, workshop_id: int, lang) -> Workshop:
    """The second language under board titles and questions on the projector (None: none)."""
    lang = None if lang in (None, "") else language(lang)
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound(field="workshop_id")
    workshop.projector_language = lang
    workshop.updated_seq = next_seq(session, workshop_id)
    commit_and_announce(session, Change("workshop_updated", workshop_id, workshop.updated_seq,
                                        workshop=workshop))
    return workshop


def translate_idea(session: Session, workshop_id: int, idea_id, text, lang) -> Idea:
    """Give a card a translation (an empty text removes it); the original stays as written."""
    text = validate.text(text, IDEA_MAX_CHARS * 2, "translation", required=False)
    lang = language(lang) if text else None
    idea = session.get(Idea, validate.integer(idea_id, "idea_id"))
    if idea is None or idea.workshop_id != workshop_id or idea.state == "withdrawn":
        raise NotFound(field="idea_id")
    idea.translation = text or None
    idea.translation_lang = lang
    idea.updated_seq = next_seq(session, workshop_id)
    commit_and_announce(session, Change("idea_updated", workshop_id, idea.updated_seq,
                                        ideas=[idea]))
    return idea
