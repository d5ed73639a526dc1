"""Anonymous receipt codes: random, shown once, stored only as a slow hash (scrypt with a per-code salt).

A code is 20 characters of Crockford base32 shown in groups of four. Its first four characters are a
non-secret lookup prefix (so a lookup verifies at most a handful of hashes); the other sixteen carry 80 bits.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 20
PREFIX = 4
SALT_BYTES = 16
# Crockford decoding of look-alike characters, so that a code read over the phone still matches.
_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_DUMMY_SALT = b"\x00" * SALT_BYTES


def new_code() -> str:
    """Returns a new random code (normalized form, without dashes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    """Formats a code in groups of four for the reporter."""
    return "-".join(code[i : i + 4] for i in range(0, LENGTH, 4))


def normalize(text: str | None) -> str | None:
    """Returns the normalized code, or None for anything that cannot be a code."""
    if not text or len(text) > 64:
        return None
    code = "".join(ch for ch in text.upper() if ch not in "- ").translate(_ALIASES)
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def prefix(code: str) -> str:
    """Returns the lookup prefix of a normalized code."""
    return code[:PREFIX]


def new_salt() -> bytes:
    """Returns a fresh salt for one code."""
    return os.urandom(SALT_BYTES)


def digest(code: str, salt: bytes, n: int) -> bytes:
    """Hashes a normalized code with scrypt (memory-hard; r=8, p=1)."""
    return hashlib.scrypt(code.encode(), salt=salt, n=n, r=8, p=1, maxmem=256 * n * 8 + 1024 * 1024, dklen=32)


def matches(code: str, salt: bytes, n: int, expected: bytes) -> bool:
    """Tells whether a code matches a stored hash (constant-time comparison)."""
    return hmac.compare_digest(digest(code, salt, n), expected)


def burn(n: int) -> None:
    """Spends the time of one verification, so that an unknown prefix answers as slowly as a wrong code."""
    digest("0" * LENGTH, _DUMMY_SALT, n)
