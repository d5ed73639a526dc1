"""The ID number (公民身份号码) as the register keeps it: a keyed hash (HMAC-SHA256 with RANK_ID_NUMBER_KEY), never the
number. Equal numbers give equal hashes, so a duplicate is refused and a person is found by their number, while a
copy of the database without the key does not reveal anyone's number (a bare SHA-256 of 18 digits of which the first
14 are a region code and a birth date would be reversed by enumeration in minutes).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from services.rank.domain.names import normalize_id_number

# Only for development and tests: a key anyone with the source has. Production refuses to start without its own.
DEV_KEY = b"youwei-development-id-number-key-not-secret"


def key_bytes(configured: str | None, *, production: bool) -> bytes:
    """The HMAC key: base64 of at least 32 bytes from the settings; the public development key outside production."""
    if configured:
        key = base64.urlsafe_b64decode(configured.encode() + b"=" * (-len(configured) % 4))
        if len(key) < 32:
            raise ValueError("RANK_ID_NUMBER_KEY must be base64 of at least 32 random bytes")
        return key
    if production:
        raise ValueError(
            "RANK_ID_NUMBER_KEY is not set: ID numbers are kept only as a keyed hash, and the key must "
            "be this deployment's own (python -c \"import os,base64;print(base64.urlsafe_b64encode("
            'os.urandom(32)).decode())")'
        )
    return DEV_KEY


_key: list[bytes] = [DEV_KEY]  # the process's key, set once by create_app from the settings


def configure(configured: str | None, *, production: bool) -> None:
    """Sets this process's key (create_app calls it, so a production app without a key does not start)."""
    _key[0] = key_bytes(configured, production=production)


def id_number_hash(text: str, key: bytes | None = None) -> str:
    """Checks and canonicalizes an ID number, and returns its keyed hash (hex)."""
    return hmac.new(key or _key[0], normalize_id_number(text).encode(), hashlib.sha256).hexdigest()
