"""Benchmark helper: register N participants of a workshop straight through the domain API and
print their session cookies as JSON (`{"cookie_name": ..., "cookies": [...]}`).

Run with the same environment as the server (DATABASE_URL, INSTANCE_PATH, SECRET_KEY), after
`run.py demo` has created the workshop. Faster than N HTTP joins; `realtime.py --join http`
goes through the join form instead. Each cookie holds what the join view would have stored:
{"participants": {"<workshop_id>": token}}, signed with the app's SECRET_KEY.
"""
import argparse
import json
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from facilitator import create_app  # noqa: E402
from facilitator.domain import ideas, participants, voting, workshops  # noqa: E402
from facilitator.extensions import db  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--code", required=True, help="the workshop's join code")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--dots-round", action="store_true",
                    help="also open a dots round (whole room, tallies shown) on --board's cards")
    ap.add_argument("--board", type=int, help="the board of the dots round")
    args = ap.parse_args()
    app = create_app()
    serializer = app.session_interface.get_signing_serializer(app)
    cookies = []
    with app.app_context():
        workshop = workshops.find_by_join_code(db.session, args.code)
        for _ in range(args.count):
            _participant, token = participants.join(db.session, workshop)
            cookies.append(serializer.dumps({"participants": {str(workshop.id): token}}))
        extra = open_dots_round(workshop, args.board) if args.dots_round else {}
    json.dump({"cookie_name": app.config["SESSION_COOKIE_NAME"], "workshop_id": workshop.id,
               "cookies": cookies, **extra}, sys.stdout)


def open_dots_round(workshop, board_id: int) -> dict:
    """Twelve cards on the board and an open dots round on them for the whole room."""
    author, _ = participants.join(db.session, workshop)
    for n in range(12):
        ideas.post_idea(db.session, author, board_id, uuid.uuid4().hex, f"Vorschlag {n + 1}")
    round_ = voting.open_round(db.session, workshop.id, voting.RoundSpec(
        kind="dots", target_kind="idea", board_ids=[board_id], whole_room=True,
        dots_per_person=3, max_per_item=3, tallies_visible=True, question="Was zuerst?"))
    return {"round_id": round_.id,
            "target_ids": [t["id"] for t in voting.targets(db.session, round_)]}


if __name__ == "__main__":
    main()
