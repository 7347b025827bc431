"""Results for the demo workshop (`python run.py demo --with-results`), made through the domain
API as a real event would make them: more cards from several phones, one hidden by moderation,
clusters, phase changes, a revealed dot-voting round with the facilitator's final order, a consent
check, the impact/effort matrix, measures, a pin-board photo and the organiser's logo.

The photo and logo are drawn with Pillow here, so the repository ships no image files."""
import io
import uuid

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.orm import Session

from .domain import clusters, ideas, measures, participants, phases, photos, voting
from .domain.measures import MeasureSpec
from .domain.voting import RoundSpec
from .models import Idea, Workshop

# Per board (by position): more cards, and clusters as {heading: [indexes of the board's cards]}.
MORE_IDEAS = {
    0: ["Kostenlose Kinderbetreuung während der Kurse", "Sprachpatenschaften mit Ehrenamtlichen",
        "Berufsbezogene Deutschkurse in Betrieben", "Sprachcafé auch am Wochenende"],
    1: ["Mehrsprachige Elternabende", "Schulsozialarbeit an allen Grundschulen",
        "Hausaufgabenhilfe in den Stadtteilen"],
    2: ["Mentoring durch Auszubildende", "Jobmesse mit Dolmetschenden"],
}
CLUSTERS = {
    0: {"Kurse, die in den Alltag passen": [0, 3, 5], "Begegnung und Üben": [1, 4, 6],
        "Angebote in anderen Sprachen": [2]},
    1: {"Eltern einbeziehen": [0, 2], "Unterstützung in der Schule": [3, 4]},
    2: {"Brücken in Betriebe": [0, 2, 3]},
}
HIDDEN_TEXT = "Max Mustermann aus der Nachbarschaft ist schuld"  # hidden by moderation
VOTES = [[0, 0, 1], [0, 1, 3], [1, 1, 4], [0, 3, 4], [2, 0, 5], [1, 0, 0], [4, 4, 3],
         [0, 1, 5], [3, 0, 1], [1, 5, 5], [0, 4, 2], [1, 3, 0]]
RATINGS = [[3, 0, 5], [4, 1, 6], [6, 2, 3], [2, 0, 8], [5, 3, 2], [7, 1, 4], [3, 2, 10],
           [4, 0, 3], [5, 1, 2], [6, 2, 5], [2, 0, 4], [8, 3, 1]]
PHONES = 12


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def pinboard_photo(cards: list[str]) -> bytes:
    """A photo-like picture of a pin board with coloured cards (JPEG)."""
    image = Image.new("RGB", (1600, 1200), (214, 189, 152))  # cork
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, 1540, 1140), outline=(120, 90, 60), width=12)
    colours = [(255, 241, 168), (207, 228, 255), (205, 238, 211), (255, 214, 231)]
    font = _font(34)
    for index, text in enumerate(cards[:8]):
        column, row = index % 3, index // 3
        left, top = 120 + column * 480, 120 + row * 330
        draw.rectangle((left + 8, top + 8, left + 428, top + 268), fill=(150, 125, 95))
        draw.rectangle((left, top, left + 420, top + 260), fill=colours[index % len(colours)])
        words, line, lines = text.split(), "", []
        for word in words:
            trial = f"{line} {word}".strip()
            if draw.textlength(trial, font=font) > 380 and line:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
        for number, content in enumerate(lines[:5]):
            draw.text((left + 20, top + 20 + number * 44), content, fill=(27, 27, 31), font=font)
        draw.ellipse((left + 195, top - 14, left + 225, top + 16), fill=(200, 30, 40))  # pin
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def logo() -> bytes:
    """A simple round logo with transparency (PNG)."""
    image = Image.new("RGBA", (600, 600), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, 580, 580), fill=(29, 95, 160, 255))
    draw.ellipse((110, 110, 490, 490), outline=(255, 255, 255, 255), width=24)
    font = _font(170)
    draw.text((300, 300), "LK", fill=(255, 255, 255, 255), font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def add_results(session: Session, workshop: Workshop, facilitator_id: int) -> None:
    """Play a short workshop on the demo's boards (which already carry a card or two each)."""
    boards = list(workshop.boards)
    groups = [group.id for group in workshop.stakeholder_groups]
    phones = [participants.join(session, workshop, None, groups[n % len(groups)] if groups
                                else None)[0] for n in range(PHONES)]
    cards: dict[int, list[int]] = {}
    for position, board in enumerate(boards):
        existing = list(session.scalars(select(Idea.id).where(
            Idea.board_id == board.id).order_by(Idea.id)))
        for number, text in enumerate(MORE_IDEAS.get(position, [])):
            existing.append(ideas.post_idea(session, phones[number % PHONES], board.id,
                                            uuid.uuid4().hex, text).idea.id)
        cards[board.id] = existing
    hidden = ideas.post_idea(session, phones[-1], boards[0].id, uuid.uuid4().hex, HIDDEN_TEXT)
    clusters.set_hidden(session, workshop.id, facilitator_id, hidden.idea.id, True)

    phases.set_phase(session, workshop.id, [], "cluster")
    made = {}
    for position, layout in CLUSTERS.items():
        board = boards[position]
        for heading, indexes in layout.items():
            chosen = [cards[board.id][i] for i in indexes if i < len(cards[board.id])]
            made[heading] = clusters.create_cluster(session, workshop.id, facilitator_id,
                                                    board.id, heading, "grey", chosen)
    first = boards[0]
    for (heading, x, y) in (("Kurse, die in den Alltag passen", 0.7, 0.9),
                            ("Begegnung und Üben", 0.2, 0.7),
                            ("Angebote in anderen Sprachen", 0.5, 0.3)):
        clusters.place_on_matrix(session, workshop.id, facilitator_id, made[heading].id, x, y)

    phases.set_phase(session, workshop.id, [], "prioritise")
    dots = voting.open_round(session, workshop.id, RoundSpec(
        kind="dots", target_kind="cluster", board_ids=[], question="Was ist am wichtigsten?",
        dots_per_person=3, max_per_item=2))
    targets = [target["id"] for target in voting.targets(session, dots)]
    for phone, choices in zip(phones, VOTES):
        for choice in choices:
            voting.place_dot(session, phone, dots.id, targets[choice % len(targets)],
                             uuid.uuid4().hex)
    ranked = [row["id"] for row in voting.results(session, dots)]
    voting.update_round(session, workshop.id, dots.id, {"state": "closed", "revealed": True,
                                                         "final_order": ranked[:3]})

    consent = voting.open_round(session, workshop.id, RoundSpec(
        kind="consent", board_ids=[first.id],
        question="Womit fangen wir im Handlungsfeld Sprache an?",
        passive_option="Alles bleibt, wie es ist",
        options=["Sprachcafés in allen Gemeinden", "Kurse mit Kinderbetreuung"]))
    for phone, ratings in zip(phones, RATINGS):
        for option, value in enumerate(ratings):
            voting.rate_option(session, phone, consent.id, option, value)
    voting.update_round(session, workshop.id, consent.id, {"state": "closed", "revealed": True})

    for title, heading, responsible, horizon in (
            ("Deutschkurse mit Kinderbetreuung an drei Standorten", "Kurse, die in den Alltag "
             "passen", "Kreisvolkshochschule", "short"),
            ("Sprachcafés mit Ehrenamtlichen in jeder Gemeinde", "Begegnung und Üben",
             "Koordinierungsstelle Ehrenamt", "medium"),
            ("Elternabende mit Dolmetschenden", "Eltern einbeziehen", "Schulamt", "medium")):
        cluster = made[heading]
        measures.save_measure(session, workshop.id, facilitator_id, MeasureSpec(
            title=title, board_id=cluster.board_id, source_cluster_id=cluster.id,
            source_idea_ids=[], responsible=responsible, horizon=horizon))

    photos.add_photo(session, workshop.id, pinboard_photo(MORE_IDEAS[0]), board_id=first.id,
                     caption="Pinnwand am Thementisch Sprache")
    photos.add_photo(session, workshop.id, logo(), kind="logo")
    phases.set_phase(session, workshop.id, [], "results")
