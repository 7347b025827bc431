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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from facilitator import create_app  # noqa: E402
from facilitator.domain import participants, workshops  # noqa: E402
from facilitator.extensions import db  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--code", required=True, help="the workshop's join code")
    ap.add_argument("--count", type=int, required=True)
    args = ap.parse_args()
    app = create_app()
    serializer = app.session_interface.get_signing_serializer(app)
    cookies = []
    with app.app_context():
        workshop = workshops.find_by_join_code(db.session, args.code)
        for _ in range(args.count):
            _participant, token = participants.join(db.session, workshop)
            cookies.append(serializer.dumps({"participants": {str(workshop.id): token}}))
    json.dump({"cookie_name": app.config["SESSION_COOKIE_NAME"], "workshop_id": workshop.id,
               "cookies": cookies}, sys.stdout)


if __name__ == "__main__":
    main()
