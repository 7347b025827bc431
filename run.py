"""Start Facilitator: `python run.py` serves; `python run.py --help` lists the commands."""
from gevent import monkey

# Before anything else imports socket or threading: every connection becomes a cheap greenlet.
monkey.patch_all()

from facilitator.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
