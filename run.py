"""Start Facilitator: `python run.py` serves; `python run.py --help` lists the commands."""
from gevent import monkey

# Before anything else imports socket or threading: every connection becomes a cheap greenlet.
monkey.patch_all()

import os  # noqa: E402

# The database, records, photos and the secret key hold personal data: readable by the
# server's own user only (files 0600, folders 0700), whatever the login shell's umask.
os.umask(0o077)

from facilitator.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
