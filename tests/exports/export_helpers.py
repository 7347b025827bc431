"""Helpers of the export tests: images made on the spot, and a workshop that has been played
through (cards in several scripts, a hidden and a withdrawn card, a corrected text, a merged
duplicate, clusters, phases, a dot round on clusters and one on cards, a consent check, measures,
board photos and a logo), built through the domain API."""
import io
import uuid
from dataclasses import dataclass

from PIL import Image, ImageDraw

from facilitator.domain import clusters, ideas, measures, phases, photos, voting
from facilitator.domain.measures import MeasureSpec
from facilitator.domain.voting import RoundSpec
from facilitator.models import Facilitator, Workshop

HIDDEN_TEXT = "GEHEIM: Telefonnummer von Frau Beispiel 0171 555"
WITHDRAWN_TEXT = "ZURÜCKGEZOGEN: doch nicht"
VISIBLE_TEXTS = (
    "Bezahlbarer Wohnraum für Familien – Größe zählt",
    "Wohnungsbörse in Leichter Sprache",
    "سكن ميسور التكلفة للعائلات",
    "Доступное жильё рядом со школой",
    "=HYPERLINK(\"http://example.org\";\"klick\")",
    "- mehr Busse am Abend\nauch am Wochenende",
    "Ausbildung in Teilzeit für Eltern",
    "Arbeitsmarktzugang für Geflüchtete erleichtern",
    "Ausbildungsmessen mit Dolmetschenden",
)


def picture(size=(640, 480), colour=(200, 120, 40)) -> Image.Image:
    image = Image.new("RGB", size, (250, 250, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((size[0] // 8, size[1] // 8, size[0] // 2, size[1] // 2), fill=colour)
    return image


def jpeg_with_gps(size=(640, 480), orientation: int = 6) -> bytes:
    """A JPEG as a phone writes it: GPS position, camera model, orientation tag, a comment."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.34), 3: "E", 4: (7.0, 19.0, 5.5)}
    out = io.BytesIO()
    picture(size).save(out, "JPEG", quality=90, exif=exif, comment=b"taken at Kreishaus")
    return out.getvalue()


def png_bytes(size=(300, 200), alpha: bool = False) -> bytes:
    image = picture(size).convert("RGBA") if alpha else picture(size)
    if alpha:
        image.putpixel((0, 0), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def webp_bytes(size=(300, 200)) -> bytes:
    out = io.BytesIO()
    picture(size).save(out, "WEBP")
    return out.getvalue()


@dataclass
class Played:
    workshop: Workshop
    owner: Facilitator
    visible: list[str]


def play_workshop(make, with_photos: bool = True) -> Played:
    """A workshop after its event (see the module docstring); returns it with its visible texts."""
    owner = make.facilitator()
    workshop = make.workshop(owner, boards=("Wohnen und Nachbarschaft", "Arbeit und Ausbildung"),
                             title="Integrationskonzept: Auftaktworkshop Süd",
                             organiser="Landkreis Emsland", place="Kreishaus Meppen",
                             purpose="Ideen für das Integrationskonzept sammeln.")
    housing, work = workshop.boards
    groups = workshop.stakeholder_groups
    phones = [make.participant(workshop, stakeholder_group_id=groups[n % len(groups)].id)[0]
              for n in range(6)]
    on_housing = [make.idea(phones[n], housing, text) for n, text in enumerate(VISIBLE_TEXTS[:6])]
    on_work = [make.idea(phones[n], work, text) for n, text in enumerate(VISIBLE_TEXTS[6:])]
    duplicate = make.idea(phones[5], housing, "Bezahlbare Wohnungen für Familien")
    hidden = make.idea(phones[4], housing, HIDDEN_TEXT)
    withdrawn = make.idea(phones[3], work, WITHDRAWN_TEXT)
    make.run(ideas.withdraw_idea, phones[3], withdrawn.id)
    make.run(clusters.set_hidden, workshop.id, owner.id, hidden.id, True)
    make.run(clusters.correct_text, workshop.id, owner.id, on_work[1].id,
             "Arbeitsmarktzugang für Geflüchtete erleichtern!")
    make.run(clusters.merge_duplicates, workshop.id, owner.id, duplicate.id, on_housing[0].id)

    make.run(phases.set_phase, workshop.id, [], "cluster")
    living = make.run(clusters.create_cluster, workshop.id, owner.id, housing.id,
                      "Wohnraum", "blue", [on_housing[0].id, on_housing[2].id, on_housing[3].id])
    mobility = make.run(clusters.create_cluster, workshop.id, owner.id, housing.id,
                        "Mobilität", "green", [on_housing[5].id])
    training = make.run(clusters.create_cluster, workshop.id, owner.id, work.id,
                        "Ausbildung", "yellow", [on_work[0].id, on_work[2].id])
    make.run(clusters.place_on_matrix, workshop.id, owner.id, living.id, 0.8, 0.9)

    make.run(phases.set_phase, workshop.id, [], "prioritise")
    dots = make.run(voting.open_round, workshop.id, RoundSpec(
        kind="dots", target_kind="cluster", board_ids=[], question="Was zuerst?",
        dots_per_person=3, max_per_item=2))
    for n, phone in enumerate(phones):
        for target in ((living, living, mobility), (training, mobility, living))[n % 2]:
            make.run(voting.place_dot, phone, dots.id, target.id, uuid.uuid4().hex)
    make.run(voting.update_round, workshop.id, dots.id, {
        "state": "closed", "revealed": True, "final_order": [living.id, training.id]})
    card_round = make.run(voting.open_round, workshop.id, RoundSpec(
        kind="dots", target_kind="idea", board_ids=[work.id], dots_per_person=2, max_per_item=1))
    for n, phone in enumerate(phones[:4]):
        make.run(voting.place_dot, phone, card_round.id, on_work[n % 3].id, uuid.uuid4().hex)
    make.run(voting.update_round, workshop.id, card_round.id, {"state": "closed"})
    consent = make.run(voting.open_round, workshop.id, RoundSpec(
        kind="consent", board_ids=[], passive_option="Alles bleibt, wie es ist",
        options=["Wohnungsbörse starten", "Busse am Abend"]))
    for n, phone in enumerate(phones):
        for option, value in enumerate((5, n % 4, 10 if n == 0 else 2)):
            make.run(voting.rate_option, phone, consent.id, option, value)
    make.run(voting.update_round, workshop.id, consent.id, {"state": "closed", "revealed": True})
    make.run(measures.save_measure, workshop.id, owner.id, MeasureSpec(
        title="Wohnungsbörse in Leichter Sprache", board_id=housing.id,
        source_idea_ids=[on_housing[1].id], source_cluster_id=living.id,
        responsible="Sozialamt", horizon="short"))
    if with_photos:
        make.run(photos.add_photo, workshop.id, jpeg_with_gps(), board_id=housing.id,
                 caption="Pinnwand Wohnen")
        make.run(photos.add_photo, workshop.id, png_bytes(), caption="Raum")
        make.run(photos.add_photo, workshop.id, png_bytes(alpha=True), kind="logo")
    make.run(phases.set_phase, workshop.id, [], "results")
    visible = [text for text in VISIBLE_TEXTS if text != "Arbeitsmarktzugang für Geflüchtete "
               "erleichtern"] + ["Arbeitsmarktzugang für Geflüchtete erleichtern!",
                                  "Bezahlbare Wohnungen für Familien"]
    return Played(workshop, owner, visible)
