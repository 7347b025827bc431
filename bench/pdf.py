"""How long the PDF documentation takes, and how much memory it needs.

    .venv/bin/python bench/pdf.py                      # 1,000 then 5,000 cards, 10 photos each
    .venv/bin/python bench/pdf.py --cards 1000 --photos 10 --keep out.pdf

Seeds a workshop through the domain API into a temporary SQLite file (six boards, clusters, a
revealed dot round, a consent check, matrix placements, measures, cards in German, Turkish,
Cyrillic, Arabic, Farsi and Tigrinya, some hidden), then renders it twice, in child processes
as the server does (`python -m facilitator.jobs`, the job as a JSON line on stdin): handed to a
warmed-up spare renderer (`--wait`, what the server uses; timed from the hand-over) and to a
cold child (start-up included). Prints wall and CPU time, pages and size, and each child's peak RSS.
Targets (issue 9): 1,000 cards + 10 photos < 10 s; 5,000 cards < 45 s; peak memory < 600 MB.

`seed()` is also what tests/reports uses for its realistic workshop.
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy.orm import Session  # noqa: E402

from facilitator.domain import (clusters, facilitators, ideas, measures, participants,  # noqa: E402
                                phases, photos, voting, workshops)
from facilitator.domain.measures import MeasureSpec  # noqa: E402
from facilitator.domain.voting import RoundSpec  # noqa: E402
from facilitator.domain.workshops import BoardSpec, WorkshopSpec  # noqa: E402

BOARDS = (
    ("Sprache und Bildung", "Was brauchen Neuzugewanderte, um schnell Deutsch zu lernen?"),
    ("Arbeit und Ausbildung", "Wie finden Geflüchtete leichter Arbeit oder Ausbildung?"),
    ("Wohnen und Nachbarschaft", "Was hilft beim Ankommen in der Nachbarschaft?"),
    ("Gesundheit", "Wo fehlt es bei der gesundheitlichen Versorgung?"),
    ("Ehrenamt und Teilhabe", "Wie gewinnen und halten wir Ehrenamtliche?"),
    ("Antidiskriminierung", "Was tun wir gegen Diskriminierung im Alltag?"),
)
GROUPS = ("Verwaltung", "Kommunen", "Wohlfahrtsverbände", "Ehrenamt", "Migrantenorganisationen",
          "Menschen mit Fluchterfahrung", "Politik")
# Phrases in the scripts the documentation must render; every card gets a number to be unique.
PHRASES = (
    "Mehr Sprachkurse am Abend, auch mit Kinderbetreuung",
    "Übersetzungshilfe beim Jobcenter und in der Ausländerbehörde",
    "Patenschaften zwischen Alteingesessenen und Neuzugewanderten",
    "Anerkennung ausländischer Berufsabschlüsse beschleunigen",
    "Bezahlbarer Wohnraum für große Familien fehlt",
    "Dolmetscher für Arzttermine über die Krankenkasse",
    "Sprach-Cafés in allen Gemeinden, nicht nur in der Kreisstadt",
    "Busverbindungen am Wochenende zu den Integrationskursen",
    "İş arayanlar için Türkçe bilgilendirme broşürleri",
    "Öğretmenlerle veli görüşmelerinde tercüman desteği",
    "Больше курсов немецкого языка для работающих людей",
    "Консультации по признанию дипломов на украинском языке",
    "نحتاج إلى دورات لغة مع رعاية الأطفال",
    "مساعدة في إيجاد سكن مناسب للعائلات الكبيرة",
    "کلاس‌های زبان آلمانی برای زنان در روستاها",
    "ترجمه مدارک تحصیلی رایگان باشد",
    "ናይ ቋንቋ ትምህርቲ ንደቂ ኣንስትዮ የድሊ",
    "Ausbildungsmessen mit Betrieben aus dem Landkreis",
    "Ehrenamtliche brauchen Supervision und Anerkennung",
    "Anonyme Meldestelle für Diskriminierung einrichten",
)
CONSENT_OPTIONS = ("Sprach-Cafés in jeder Gemeinde", "Eine zentrale Beratungsstelle im Landratsamt",
                   "Mobile Beratung mit dem Bus")


def _photo(index: int, size=(2400, 1800)) -> bytes:
    """A flipchart-like JPEG, as a phone camera delivers it (the upload scales and cleans it)."""
    import io

    from PIL import Image, ImageDraw
    image = Image.new("RGB", size, (236, 232, 220))
    draw = ImageDraw.Draw(image)
    rng = random.Random(index)
    for _ in range(60):
        x, y = rng.randrange(size[0] - 240), rng.randrange(size[1] - 160)
        colour = rng.choice([(250, 230, 120), (150, 200, 240), (170, 220, 160), (240, 170, 200)])
        draw.rectangle((x, y, x + 220, y + 140), fill=colour, outline=(90, 90, 90), width=3)
        for line in range(3):
            draw.line((x + 15, y + 35 + line * 35, x + 200, y + 35 + line * 35),
                      fill=(40, 40, 40), width=6)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _logo() -> bytes:
    import io

    from PIL import Image, ImageDraw
    image = Image.new("RGB", (600, 200), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 180, 180), fill=(0, 90, 140))
    draw.rectangle((210, 80, 580, 120), fill=(0, 90, 140))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def add_photos(session: Session, workshop, uploads: Path, count: int, logo: bool = True) -> None:
    """`count` board photos and a logo, uploaded through the photos domain into `uploads`."""
    session.info["upload_path"] = str(uploads)
    boards = list(workshop.boards)
    for index in range(count):
        board = boards[index % len(boards)]
        photos.add_photo(session, workshop.id, _photo(index), board_id=board.id,
                         caption=f"Pinnwand „{board.title}“, Foto {index + 1}")
    if logo:
        photos.add_photo(session, workshop.id, _logo(), kind="logo",
                         caption="Landkreis Musterstadt")


def _fill_cluster(session: Session, cluster, cards: list) -> None:
    """The cards into `cluster` in their order, in one commit. Moving them one by one through
    the domain re-reads and renumbers the board's unsorted cards on every move: 5,000 cards took
    3.5 minutes to seed, nearly all of it here. The record reads the same rows either way (the
    cards left unsorted keep gaps in their positions, which only order them). Bench runs only;
    the tests seed through the domain."""
    for position, card in enumerate(cards):
        card.cluster_id, card.position = cluster.id, position
    session.commit()
    session.expire(cluster)  # its list of cards was read empty


def seed(session: Session, cards: int = 200, *, language: str = "de", hidden: int = 6,
         extra_cards: dict | None = None, rng_seed: int = 4, bulk_clusters: bool = False) -> dict:
    """A realistic finished workshop made through the domain API. Returns what was made:
    {workshop, facilitator, boards, visible: [texts], hidden: [texts], withdrawn: [texts],
    duplicates: [texts], ideas: {text: idea}}. `extra_cards` maps a board index to texts to post
    there as well (e.g. hostile ones). `bulk_clusters` fills the clusters in one statement each
    instead of moving card by card (see `_fill_cluster`)."""
    rng = random.Random(rng_seed)
    facilitator = facilitators.create_facilitator(session, f"Moderation {uuid.uuid4().hex[:6]}")
    organiser = "Landkreis Musterstadt, Stabsstelle Integration"
    # The organiser field arrives with the uploads work; until WorkshopSpec has it, set the column.
    with_organiser = "organiser" in WorkshopSpec.__dataclass_fields__
    workshop = workshops.create_workshop(session, facilitator.id, WorkshopSpec(
        title="Integrationskonzept Landkreis Musterstadt: Themenwerkstatt", language=language,
        **({"organiser": organiser} if with_organiser else {}),
        event_date=date(2025, 3, 14), place="Landratsamt Musterstadt, Großer Sitzungssaal",
        purpose=("Der Kreistag hat im Juni beschlossen, ein Integrationskonzept zu erarbeiten. "
                 "In dieser Themenwerkstatt sammeln Fachleute, Ehrenamtliche und Menschen mit "
                 "Fluchterfahrung Ideen und Maßnahmen für sechs Handlungsfelder."),
        process_title="Integrationskonzept Landkreis Musterstadt 2025",
        stakeholder_groups=GROUPS, boards=tuple(BoardSpec(t, question=q) for t, q in BOARDS)))
    if not with_organiser:
        workshop.organiser = organiser
        session.commit()
    boards = list(workshop.boards)
    groups = [group.id for group in workshop.stakeholder_groups]
    # Group sizes that exercise suppression: "Politik" has 3 people.
    people = []
    for index in range(max(40, cards // 4)):
        group = groups[-1] if index < 3 else groups[index % (len(groups) - 1)] if index % 9 else None
        name = f"Teilnehmerin {index}" if index % 5 == 0 else None
        people.append(participants.join(session, workshop, name, group)[0])

    made: dict = {"workshop": workshop, "facilitator": facilitator, "boards": boards,
                  "visible": [], "hidden": [], "withdrawn": [], "duplicates": [], "ideas": {}}
    per_board: dict[int, list] = {board.id: [] for board in boards}
    for index in range(cards):
        board = boards[index % len(boards)]
        text = f"{PHRASES[index % len(PHRASES)]} ({index + 1})"
        idea = ideas.post_idea(session, rng.choice(people), board.id, uuid.uuid4().hex, text).idea
        per_board[board.id].append(idea)
        made["ideas"][text] = idea
    for board_index, texts in (extra_cards or {}).items():
        board = boards[board_index]
        for text in texts:
            idea = ideas.post_idea(session, rng.choice(people), board.id, uuid.uuid4().hex,
                                   text).idea
            per_board[board.id].append(idea)
            made["ideas"][text] = idea

    # Moderation: one withdrawn by its author, some hidden, one corrected, duplicates merged.
    first = per_board[boards[0].id]
    author = next(p for p in people if p.id == first[-1].participant_id)
    made["withdrawn"].append(first[-1].text)
    ideas.withdraw_idea(session, author, first[-1].id)
    first.pop()
    fid, wid = facilitator.id, workshop.id
    for number in range(hidden):
        board_cards = per_board[boards[number % len(boards)].id]
        idea = board_cards.pop(len(board_cards) // 2)
        made["hidden"].append(idea.text)
        clusters.set_hidden(session, wid, fid, idea.id, True)
    phases.set_phase(session, wid, [], "cluster")
    for board in boards:
        board_cards = per_board[board.id]
        if len(board_cards) >= 6:
            keeper, duplicate = board_cards[0], board_cards.pop(1)
            clusters.merge_duplicates(session, wid, fid, duplicate.id, keeper.id)
            made["duplicates"].append(duplicate.text)
        # Clusters of eight cards, at most twenty clusters a board (a room names no more);
        # the last few cards stay unclustered.
        sorted_cards = max(0, len(board_cards) - 3)
        chunk = max(8, -(-sorted_cards // 20))
        for number, start in enumerate(range(0, sorted_cards, chunk)):
            members = board_cards[start:min(start + chunk, sorted_cards)]
            cluster = clusters.create_cluster(
                session, wid, fid, board.id, heading=f"{board.title.split()[0]}: Thema {number + 1}",
                colour=workshops.COLOURS[number % len(workshops.COLOURS)],
                idea_ids=[] if bulk_clusters else [i.id for i in members])
            if bulk_clusters:
                _fill_cluster(session, cluster, members)
    first_card = per_board[boards[0].id][2]
    made["corrected"] = (first_card.text, first_card.text + " (korrigiert)")
    clusters.correct_text(session, wid, fid, first_card.id, made["corrected"][1])
    # The ideas are the session's objects, so they carry the corrected text already.
    made["visible"] = [i.text for b in boards for i in per_board[b.id]]

    # Prioritising: a dot round on all clusters, a consent check on the first board, matrix.
    phases.set_phase(session, wid, [], "prioritise")
    dots = voting.open_round(session, wid, RoundSpec(
        kind="dots", target_kind="cluster", question="Welche Themen sind am dringendsten?",
        dots_per_person=3, max_per_item=2))
    targets = [t["id"] for t in voting.targets(session, dots)]
    for person in people[: len(people) * 3 // 4]:
        for _ in range(3):
            try:
                voting.place_dot(session, person, dots.id, rng.choice(targets), uuid.uuid4().hex)
            except Exception:  # noqa: BLE001 - a capped item: that dot is simply not given
                session.rollback()
    consent = voting.open_round(session, wid, RoundSpec(
        kind="consent", board_ids=[boards[0].id], question="Wie organisieren wir die Beratung?",
        options=list(CONSENT_OPTIONS), passive_option="Alles bleibt, wie es ist"))
    for person in people[:25]:
        for option in range(len(CONSENT_OPTIONS) + 1):
            voting.rate_option(session, person, consent.id, option, rng.randrange(0, 11))
    board_clusters = {b.id: [c for c in voting.targets(session, dots) if c["board_id"] == b.id]
                      for b in boards}
    for board in boards[:2]:
        for number, cluster in enumerate(board_clusters[board.id]):
            clusters.place_on_matrix(session, wid, fid, cluster["id"], rng.random(), rng.random())
    ranked = [row["id"] for row in voting.results(session, dots)]
    voting.update_round(session, wid, dots.id, {"state": "closed"})
    voting.update_round(session, wid, dots.id, {"revealed": True, "final_order": ranked})
    voting.update_round(session, wid, consent.id, {"state": "closed", "revealed": True})

    # Measures from the top clusters, then a measure round.
    for number, cluster_id in enumerate(ranked[:8]):
        cluster = next(c for cs in board_clusters.values() for c in cs if c["id"] == cluster_id)
        measures.save_measure(session, wid, fid, MeasureSpec(
            title=f"Maßnahme {number + 1}: {cluster['label']}",
            description="Konkrete Umsetzung bis Ende des Jahres; Bericht im Sozialausschuss.",
            responsible="Integrationsbeauftragte des Landkreises",
            partners="Volkshochschule, Jobcenter, Migrantenorganisationen",
            horizon=("short", "medium", "long")[number % 3], board_id=cluster["board_id"],
            source_cluster_id=cluster_id))
    measure_round = voting.open_round(session, wid, RoundSpec(
        kind="dots", target_kind="measure", question="Welche Maßnahmen zuerst?",
        dots_per_person=3, max_per_item=3))
    measure_ids = [t["id"] for t in voting.targets(session, measure_round)]
    for person in people[:30]:
        voting.place_dot(session, person, measure_round.id, rng.choice(measure_ids),
                         uuid.uuid4().hex)
    voting.update_round(session, wid, measure_round.id, {"state": "closed", "revealed": True})
    phases.set_phase(session, wid, [], "results")
    session.expire_all()
    return made


def run(cards: int, photos: int, keep: Path | None = None, language: str = "de") -> dict:
    from facilitator.database import make_engine, migrate
    from facilitator.reports import build_record

    with tempfile.TemporaryDirectory(prefix="facilitator-bench-") as directory:
        directory = Path(directory)
        url = f"sqlite:///{directory / 'bench.db'}"
        migrate(url)
        engine = make_engine(url)
        started = time.perf_counter()
        with Session(engine, expire_on_commit=False) as session:
            made = seed(session, cards, language=language, bulk_clusters=True)
            workshop_id = made["workshop"].id
            if photos:
                add_photos(session, made["workshop"], directory / "instance" / "uploads", photos)
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        with Session(engine) as session:
            record = build_record(session, workshop_id)
        record_time = time.perf_counter() - started
        engine.dispose()
        out = keep or directory / "record.pdf"
        uploads = str(directory / "instance" / "uploads")
        result = {"cards": record.card_count, "photos": len(record.all_photos), "seed_s": seeded,
                  "record_s": record_time}
        from facilitator.jobs import JobSpec
        job = JobSpec(kind="pdf", database_url=url, workshop_id=workshop_id, out=str(out),
                      uploads=uploads, status=str(directory / "status.json")).line().decode()
        # 1. A cold child (start-up included).
        cold = _measure([sys.executable, "-m", "facilitator.jobs"], job=job, ready=False)
        # 2. What the server does: a spare renderer that has warmed up gets the job on stdin;
        #    timed from handing the job over (the facilitator's wait after clicking).
        warm = _measure([sys.executable, "-m", "facilitator.jobs", "--wait", "600"], job=job)
        from pypdf import PdfReader
        result.update(pages=len(PdfReader(str(out)).pages), size_kb=out.stat().st_size / 1024,
                      cold=cold, warm=warm)
        return result


def _measure(command: list[str], job: str, ready: bool = True) -> dict:
    """Wall time, CPU time and peak RSS of one renderer process (its own rusage); with `ready`,
    timed from handing the job to a child that said it is ready."""
    child = subprocess.Popen(command, cwd=ROOT, text=True, stderr=subprocess.PIPE,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    if ready:
        assert child.stdout.readline() == "ready\n"
    started = time.perf_counter()
    child.stdin.write(job)
    child.stdin.close()
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"rendering failed:\n{errors}")
    return {"wall_s": seconds, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_rss_mb": usage.ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, action="append",
                        help="cards to seed (repeatable; default: 1000 and 5000)")
    parser.add_argument("--photos", type=int, default=None,
                        help="photos (default: 10)")
    parser.add_argument("--language", default="de")
    parser.add_argument("--keep", type=Path, help="also write the (last) PDF here")
    args = parser.parse_args()
    for cards in args.cards or [1000, 5000]:
        photos = 10 if args.photos is None else args.photos
        result = run(cards, photos, args.keep, args.language)
        cold, warm = result["cold"], result["warm"]
        print(f"{result['cards']:>5} cards, {result['photos']:>2} photos, {result['pages']} pages "
              f"({result['size_kb']:.0f} kB); record {result['record_s']:.2f} s; seeding "
              f"{result['seed_s']:.0f} s\n"
              f"      PDF by the server's warm renderer: {warm['wall_s']:.1f} s from hand-over, "
              f"peak RSS {warm['peak_rss_mb']:.0f} MB\n"
              f"      PDF by a cold child process:       {cold['wall_s']:.1f} s incl. start-up "
              f"({cold['cpu_s']:.1f} s CPU), peak RSS {cold['peak_rss_mb']:.0f} MB", flush=True)


if __name__ == "__main__":
    main()
