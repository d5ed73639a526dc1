"""The embedded keys under var/keys: the signing key (published as a JWKS, used to mint tokens) and the petitions
vault key, both generated on first run and readable by the owner only (0600)."""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

PRIVATE_KEY = "jwt-private.pem"
JWKS = "jwks.json"
KID = "kid"
VAULT_KEY = "vault.key"
VAULT_KEY_NEXT = "vault.key.next"  # written by a rotation before the database is re-sealed


@dataclass(frozen=True)
class SigningKey:
    """A private key with its key id."""

    kid: str
    private_pem: bytes

    def mint(
        self,
        *,
        subject: str,
        roles: list[str],
        unit: str | None,
        issuer: str,
        audience: str,
        ttl_s: int = 3600,
        cadre_id: str | None = None,
        name: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """Signs a token for trying the API (RS256)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": subject,
            "roles": roles,
            "iss": issuer,
            "aud": audience,
            "iat": now,
            "nbf": now,
            "exp": now + ttl_s,
        }
        if unit:
            claims["unit"] = unit
        if cadre_id:
            claims["cadre_id"] = cadre_id
        if name:
            claims["name"] = name
        claims.update(extra or {})
        return jwt.encode(claims, self.private_pem, algorithm="RS256", headers={"kid": self.kid})


def generate(directory: Path) -> SigningKey:
    """Creates a new RSA key pair in `directory` (0700; private key 0600, JWKS with the public key)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    kid = uuid.uuid4().hex[:16]
    private_path = directory / PRIVATE_KEY
    write_secret(private_path, pem)
    (directory / KID).write_text(kid, encoding="utf-8")
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    (directory / JWKS).write_text(json.dumps({"keys": [jwk]}, indent=2), encoding="utf-8")
    return SigningKey(kid=kid, private_pem=pem)


def load_or_generate(directory: Path) -> SigningKey:
    """Loads the key of an earlier run, or generates one on the first run."""
    private_path = directory / PRIVATE_KEY
    if private_path.exists() and (directory / KID).exists() and (directory / JWKS).exists():
        return SigningKey(
            kid=(directory / KID).read_text(encoding="utf-8").strip(), private_pem=private_path.read_bytes()
        )
    return generate(directory)


def jwks_path(directory: Path) -> Path:
    """Returns where the JWKS of a key directory lives."""
    return directory / JWKS


def write_secret(path: Path, data: bytes) -> None:
    """Writes a file that only its owner can read (created 0600, never world-readable even for a moment)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def new_vault_key() -> str:
    """Returns a fresh vault key: url-safe base64 of 32 random bytes (PETITIONS_VAULT_KEY)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def load_or_generate_vault_key(directory: Path) -> str:
    """Loads the petitions vault key of an earlier run, or generates one (0600) on the first run."""
    path = directory / VAULT_KEY
    if not path.exists():
        write_secret(path, new_vault_key().encode())
    path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()
