"""Settings: defaults plus environment variables. Imports nothing from the package."""
import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def instance_dir() -> Path:
    path = Path(os.environ.get("INSTANCE_PATH", PROJECT_ROOT / "instance"))
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _secret_key(instance: Path) -> str:
    """Use SECRET_KEY, else one generated once and kept in instance/ so sessions survive restarts."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _socket_limits() -> dict:
    """SOCKET_LIMITS="events_per_second=10,event_burst=40,participant_writes_per_minute=60,
    participant_write_burst=20,disconnect_after_refusals=50" (any subset; see socket_limits.py)."""
    pairs = (item.split("=", 1) for item in os.environ.get("SOCKET_LIMITS", "").split(",")
             if "=" in item)
    return {name.strip(): float(value) for name, value in pairs}


def served_over_https() -> bool:
    """HTTPS=1, or a PUBLIC_URL that starts with https:// (a TLS proxy in front of the server)."""
    return os.environ.get("HTTPS", "0") == "1" or os.environ.get(
        "PUBLIC_URL", "").lower().startswith("https://")


def load() -> dict:
    instance = instance_dir()
    https = served_over_https()
    return {
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": _secret_key(instance),
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{instance / 'facilitator.db'}"),
        # Where phones reach the server; unset means the laptop's LAN address is worked out at start.
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "").rstrip("/"),
        "HOST": os.environ.get("HOST", "0.0.0.0"),
        "PORT": int(os.environ.get("PORT", "5000")),
        # Several server processes share Socket.IO rooms through this (e.g. redis://127.0.0.1:6379/0).
        "MESSAGE_QUEUE": os.environ.get("MESSAGE_QUEUE") or None,
        # Unset: derived from the secret key (see create_app). Test runs sharing one Redis set it.
        "MESSAGE_QUEUE_CHANNEL": os.environ.get("MESSAGE_QUEUE_CHANNEL") or None,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "1") == "1",
        # Socket events per connection and per phone (RATELIMIT_ENABLED=0 switches them off too).
        "SOCKET_LIMITS": _socket_limits(),
        # Days after a workshop until its raw participation data (authorship, participants,
        # votes, presence) is deleted, once its record is made; 0 keeps it. Per workshop too.
        "RETENTION_DAYS": int(os.environ.get("RETENTION_DAYS", "90")),
        "RETENTION_CHECK_SECONDS": int(os.environ.get("RETENTION_CHECK_SECONDS", "3600")),
        # One line per request on standard output, client addresses cut to their network.
        "ACCESS_LOG": os.environ.get("ACCESS_LOG", "0") == "1",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Over HTTPS the cookie is Secure and named __Host-: the browser then refuses it from
        # plain HTTP and from any other (sub)domain, so nobody on the venue Wi-Fi can plant one.
        "SESSION_COOKIE_SECURE": https or os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "SESSION_COOKIE_NAME": "__Host-session" if https else "session",
        "PERMANENT_SESSION_LIFETIME": 14 * 24 * 3600,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "de",
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # A self-hosted machine translation service (LibreTranslate API) that proposes card
        # translations to table hosts; unset (the default) means none is ever asked.
        "MACHINE_TRANSLATION_URL": os.environ.get("MACHINE_TRANSLATION_URL") or None,
        # The accessibility statement (BITV 2.0 "Erklärung zur Barrierefreiheit") at /accessibility:
        # who runs this installation, where people report a barrier, when the statement was
        # made, and how far the installation complies (full, partial or none).
        "ACCESSIBILITY_OPERATOR": os.environ.get("ACCESSIBILITY_OPERATOR", ""),
        "ACCESSIBILITY_CONTACT_EMAIL": os.environ.get("ACCESSIBILITY_CONTACT_EMAIL", ""),
        "ACCESSIBILITY_CONTACT_PHONE": os.environ.get("ACCESSIBILITY_CONTACT_PHONE", ""),
        "ACCESSIBILITY_STATEMENT_DATE": os.environ.get("ACCESSIBILITY_STATEMENT_DATE", "2026-11-30"),
        "ACCESSIBILITY_STATUS": os.environ.get("ACCESSIBILITY_STATUS", "partial"),
        "ACCESSIBILITY_ENFORCEMENT_URL": os.environ.get(
            "ACCESSIBILITY_ENFORCEMENT_URL", "https://www.schlichtungsstelle-bgg.de"),
    }
