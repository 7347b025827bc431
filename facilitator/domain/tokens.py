"""Random secrets handed to browsers; the database keeps only their hashes."""
import hashlib
import secrets


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(str(secret).encode()).hexdigest()
