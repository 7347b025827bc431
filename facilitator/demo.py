"""Results for the demo workshop (`python run.py demo --with-results`), made through the domain
API as a real event would make them: more cards from several phones in several languages, one
hidden by moderation, clusters, phase changes, a revealed dot-voting round with the facilitator's
final order, a consent check, the impact/effort matrix, measures as an action plan with a vote on
them (and why the final order differs), a pin-board photo and the organiser's logo, and the
documentation's own sections (data/demo.json "documentation"), with the results published to
the participants.

The photo and logo are drawn with Pillow here, so the repository ships no image files."""
import io
import itertools
import json
import uuid
from importlib import resources

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.orm import Session

from .domain import clusters, documentation, ideas, measures, participants, phases, photos, voting
from .domain.measures import MeasureSpec
from .domain.voting import RoundSpec
from .models import Idea, Workshop

# Per board (by position): more cards, and clusters as {heading: [indexes of the board's cards]}.
# Together with data/demo.json about the size of the Goslar dialogue event (DOMAIN.md; about 60
# cards in several languages and scripts, 13 clusters, 8 measures).
MORE_IDEAS = {
    0: ["Kostenlose Kinderbetreuung während der Kurse", "Sprachpatenschaften mit Ehrenamtlichen",
        "Berufsbezogene Deutschkurse in Betrieben", "Sprachcafé auch am Wochenende",
        "Kurse am Abend für Berufstätige", "Online-Kurse für Mütter mit kleinen Kindern",
        "کلاس زبان برای زنان با مهدکودک", "Fahrdienst zu den Kursorten auf dem Land",
        "Lernmaterial in einfacher Sprache", "Мовні курси для дорослих у вихідні"],
    1: ["Mehrsprachige Elternabende", "Schulsozialarbeit an allen Grundschulen",
        "Hausaufgabenhilfe in den Stadtteilen", "Kita-Plätze für neu zugezogene Familien",
        "Beratung zur Anerkennung im Landratsamt", "Lernpaten für Seiteneinsteiger",
        "Ganztagsangebote mit Sprachförderung", "ወለድቲ ኣብ ቤት ትምህርቲ ክሳተፉ ሓገዝ"],
    2: ["Mentoring durch Auszubildende", "Jobmesse mit Dolmetschenden",
        "Teilzeitausbildung für Eltern", "Kompetenzfeststellung vor dem Praktikum",
        "Betriebe über Beschäftigungserlaubnis informieren", "İş yerinde dil desteği",
        "Fahrgemeinschaften zu Schichtarbeit", "Anerkennung von Berufserfahrung ohne Zeugnis"],
    3: ["Sportvereine öffnen und Beiträge erlassen", "Begegnungscafé im Dorfgemeinschaftshaus",
        "Mehrsprachige Willkommensmappe der Gemeinde", "Nachbarschaftsfeste mit Kochen",
        "Migrantenbeirat im Landkreis stärken", "مكان للقاء الشباب في المساء",
        "Frauentreff mit Kinderbetreuung", "Kulturpaten für Theater und Museum"],
    4: ["Feste Ansprechperson für Helferkreise im Landratsamt",
        "Ehrenamtspauschale auch für Sprachmittlung", "Austauschtreffen der Helferkreise",
        "Migrantenorganisationen bei Förderanträgen unterstützen",
        "Supervision für Ehrenamtliche", "Danke-Abend für Engagierte"],
    5: ["Mehrsprachige Infos zu Hausärzten und Notdienst", "Gesundheitslotsen aus den Communities",
        "Psychosoziale Beratung für Geflüchtete", "Pflegeausbildung für Zugewanderte bewerben",
        "Video-Dolmetschen in Praxen", "Impfberatung in den Unterkünften",
        "Медицинские брошюры на русском и украинском"],
}
# Per board (by position): {heading: [indexes of the board's cards: demo.json's, then these]}.
CLUSTERS = {
    0: {"Kurse, die in den Alltag passen": [0, 3, 5, 7, 8, 10], "Begegnung und Üben": [1, 4, 6],
        "Angebote in anderen Sprachen": [2, 9, 11, 12]},
    1: {"Eltern einbeziehen": [0, 2, 9], "Unterstützung in der Schule": [3, 4, 7, 8],
        "Anerkennung und Beratung": [1, 6]},
    2: {"Brücken in Betriebe": [0, 2, 3, 6], "Ausbildung und Qualifizierung": [4, 5, 9],
        "Beratung und Wege": [1, 7, 8]},
    3: {"Orte der Begegnung": [0, 1, 2, 4, 6, 7], "Mitreden und Mitgestalten": [3, 5]},
    4: {"Ehrenamt stärken": [0, 1, 2, 3, 4, 5, 6, 7]},
    5: {"Verständigung beim Arzt": [0, 1, 2, 5, 7]},
}
# (title, cluster, responsible, partners, horizon, due date, status, indicator, estimated cost)
MEASURES = [
    ("Deutschkurse mit Kinderbetreuung an drei Standorten", "Kurse, die in den Alltag passen",
     "Kreisvolkshochschule", "Familienzentren, Jobcenter", "short", "2027-03-31", "planned",
     "Drei Standorte mit je 15 Kursplätzen und Betreuung", "ca. 60.000 € im Jahr"),
    ("Sprachcafés mit Ehrenamtlichen in jeder Gemeinde", "Begegnung und Üben",
     "Koordinierungsstelle Ehrenamt", "Gemeinden, Bibliotheken", "medium", "", "in_progress",
     "Sprachcafé in 15 von 19 Gemeinden", "Sachkosten 500 € je Gemeinde"),
    ("Elternabende mit Dolmetschenden", "Eltern einbeziehen", "Schulamt",
     "Schulen, Dolmetscherpool", "medium", "2027-09-30", "planned",
     "Zwei Elternabende je Schuljahr an allen Grundschulen", ""),
    ("Anerkennungsberatung im Landratsamt an zwei Tagen pro Woche", "Anerkennung und Beratung",
     "Stabsstelle Integration", "IQ Netzwerk, IHK, HWK", "short", "", "", "", ""),
    ("Praktikumsbörse mit lokalen Betrieben", "Brücken in Betriebe",
     "Wirtschaftsförderung", "Agentur für Arbeit, Kreishandwerkerschaft", "medium", "",
     "planned", "50 Praktikumsplätze im ersten Jahr", ""),
    ("Sportvereine öffnen: Beiträge für Neuzugewanderte übernehmen", "Orte der Begegnung",
     "Kreissportbund", "Gemeinden", "short", "", "", "", "ca. 20.000 € im Jahr"),
    ("Feste Ansprechperson für Helferkreise", "Ehrenamt stärken", "Stabsstelle Integration",
     "Freiwilligenagentur", "short", "2026-12-31", "done", "", "½ Stelle"),
    ("Dolmetscherpool für Arztbesuche", "Verständigung beim Arzt", "Gesundheitsamt",
     "Kassenärztliche Vereinigung, Migrantenorganisationen", "long", "", "on_hold", "", ""),
]
HIDDEN_TEXT = "Max Mustermann aus der Nachbarschaft ist schuld"  # hidden by moderation
VOTES = [[0, 0, 1], [0, 1, 3], [1, 1, 4], [0, 3, 4], [2, 0, 5], [1, 0, 0], [4, 4, 3],
         [0, 1, 5], [3, 0, 1], [1, 5, 5], [0, 4, 2], [1, 3, 0]]
RATINGS = [[3, 0, 5], [4, 1, 6], [6, 2, 3], [2, 0, 8], [5, 3, 2], [7, 1, 4], [3, 2, 10],
           [4, 0, 3], [5, 1, 2], [6, 2, 5], [2, 0, 4], [8, 3, 1]]
PHONES = 36  # six per stakeholder group: every group is shown (five or more), no "< 5"


def _preferences(patterns: list[list[int]]):
    """Each phone's choices: the patterns again and again, shifted by three items each round,
    so the phones spread their dots over every board's clusters, not only the first six."""
    for round_number in itertools.count():
        for pattern in patterns:
            yield [choice + 3 * round_number for choice in pattern]


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
    for phone, choices in zip(phones, _preferences(VOTES)):
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
    for phone, ratings in zip(phones, itertools.cycle(RATINGS)):
        for option, value in enumerate(ratings):
            voting.rate_option(session, phone, consent.id, option, value)
    voting.update_round(session, workshop.id, consent.id, {"state": "closed", "revealed": True})

    made_measures = [measures.save_measure(session, workshop.id, facilitator_id, MeasureSpec(
        title=title, board_id=made[heading].board_id, source_cluster_id=made[heading].id,
        source_idea_ids=[], responsible=responsible, partners=partners, horizon=horizon,
        due_date=due, status=status, indicator=indicator, cost=cost))
        for title, heading, responsible, partners, horizon, due, status, indicator, cost
        in MEASURES]
    measure_round = voting.open_round(session, workshop.id, RoundSpec(
        kind="dots", target_kind="measure", board_ids=[],
        question="Welche Maßnahmen sollen zuerst umgesetzt werden?", dots_per_person=3,
        max_per_item=1))
    for phone, choices in zip(phones, _preferences(VOTES)):
        for choice in dict.fromkeys(choices):
            voting.place_dot(session, phone, measure_round.id,
                             made_measures[choice % len(made_measures)].id, uuid.uuid4().hex)
    ranked = [row["id"] for row in voting.results(session, measure_round)]
    # The facilitation moved childcare first: the other measures depend on it.
    order = [made_measures[0].id] + [i for i in ranked if i != made_measures[0].id]
    voting.update_round(session, workshop.id, measure_round.id, {
        "state": "closed", "final_order": order,
        "final_order_reason": "Ohne Kinderbetreuung können viele Mütter an keinem der anderen "
                              "Angebote teilnehmen; die Steuerungsgruppe zieht sie deshalb vor."})

    # Pillow's own font draws Latin letters only: the photo shows the German cards.
    latin = [text for text in MORE_IDEAS[0] if all(ord(char) < 0x250 for char in text)]
    photo = photos.add_photo(session, workshop.id, pinboard_photo(latin),
                             board_id=first.id, caption="Pinnwand am Thementisch Sprache")
    photos.add_photo(session, workshop.id, logo(), kind="logo")
    phases.set_phase(session, workshop.id, [], "results")
    add_documentation(session, workshop, cards, photo.id)


def add_documentation(session: Session, workshop: Workshop, cards: dict[int, list[int]],
                      photo_id: int) -> None:
    """The facilitation's sections (data/demo.json "documentation"), the photo's credit, and
    the results published to the participants."""
    spec = json.loads(resources.files("facilitator").joinpath("data/demo.json").read_text(
        "utf-8"))["documentation"]
    boards = list(workshop.boards)
    per_board = {}
    for position, texts in spec["boards"].items():
        board = boards[int(position)]
        values = {key: value for key, value in texts.items() if key != "quotes"}
        values["quotes"] = [cards[board.id][i] for i in texts.get("quotes", [])]
        per_board[board.id] = values
    documentation.save_documentation(session, workshop.id, spec["texts"], spec["programme"],
                                     per_board)
    documentation.save_photo_details(session, workshop.id, photo_id, documentation.PhotoDetails(
        credit=spec["photo"]["credit"], taken_on=workshop.event_date,
        consent=spec["photo"]["consent"]))
    documentation.publish_results(session, workshop.id, True)
