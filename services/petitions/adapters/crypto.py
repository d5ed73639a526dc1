"""Field encryption of the reporter vault and report texts: AES-256-GCM, a random nonce per record, the record
id as associated data; and keyed fingerprints that link a reporter's reports without storing who they are."""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT = b"\x01"
NONCE_BYTES = 12
KID_BYTES = 4


class VaultError(Exception):
    """A sealed value could not be opened (wrong key, wrong record, or tampered)."""


def _derive(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"youwei-petitions/" + purpose).derive(key)


class Sealer:
    """Seals and opens values with the current key; opens values sealed with earlier keys too (rotation)."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("at least one key is required")
        self._aead: dict[bytes, AESGCM] = {}
        for key in keys:
            enc = _derive(key, b"seal")
            kid = hashlib.sha256(enc).digest()[:KID_BYTES]
            self._aead.setdefault(kid, AESGCM(enc))
        first = _derive(keys[0], b"seal")
        self._kid = hashlib.sha256(first).digest()[:KID_BYTES]
        self._fingerprint_key = _derive(keys[0], b"fingerprint")

    def seal(self, plaintext: bytes, *, context: str, record_id: str) -> bytes:
        """Encrypts a value bound to (context, record id): format byte, key id, nonce, ciphertext and tag."""
        nonce = os.urandom(NONCE_BYTES)
        aad = f"{context}:{record_id}".encode()
        return FORMAT + self._kid + nonce + self._aead[self._kid].encrypt(nonce, plaintext, aad)

    def open(self, sealed: bytes, *, context: str, record_id: str) -> bytes:
        """Decrypts a value sealed for the same (context, record id); raises VaultError otherwise."""
        if len(sealed) < 1 + KID_BYTES + NONCE_BYTES + 16 or sealed[:1] != FORMAT:
            raise VaultError("not a sealed value")
        kid = sealed[1 : 1 + KID_BYTES]
        aead = self._aead.get(kid)
        if aead is None:
            raise VaultError("sealed with a key that is no longer configured")
        nonce = sealed[1 + KID_BYTES : 1 + KID_BYTES + NONCE_BYTES]
        try:
            return aead.decrypt(nonce, sealed[1 + KID_BYTES + NONCE_BYTES :], f"{context}:{record_id}".encode())
        except InvalidTag:
            raise VaultError("the sealed value does not open for this record") from None

    def is_current(self, sealed: bytes) -> bool:
        """Tells whether a value is sealed with the current key (rotation skips it)."""
        return sealed[:1] == FORMAT and sealed[1 : 1 + KID_BYTES] == self._kid

    def reseal(self, sealed: bytes, *, context: str, record_id: str) -> bytes:
        """Opens a value sealed with any configured key and seals it again with the current key (a fresh nonce)."""
        return self.seal(self.open(sealed, context=context, record_id=record_id), context=context, record_id=record_id)

    def seal_text(self, text: str | None, *, context: str, record_id: str) -> bytes | None:
        """Seals a text (None stays None)."""
        return None if text is None else self.seal(text.encode(), context=context, record_id=record_id)

    def open_text(self, sealed: bytes | None, *, context: str, record_id: str) -> str | None:
        """Opens a sealed text (None stays None)."""
        return None if sealed is None else self.open(sealed, context=context, record_id=record_id).decode()

    def fingerprint(self, value: str) -> str:
        """Returns a keyed, irreversible pseudonym of an identifying value (links reports of one reporter)."""
        return hmac.new(self._fingerprint_key, value.encode(), hashlib.sha256).hexdigest()
