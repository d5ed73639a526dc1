"""Bearer-token authentication shared by the gateway and every service (docs/reliability.md S5).

Algorithms come from configuration, never from the token; exp, nbf, iat, aud and iss are required; the key is
chosen by `kid` from a JWKS (file or URL) and must be an asymmetric key of the configured algorithm's family.
exp, nbf and iat must be JSON numbers (RFC 7519 §2 NumericDate; PyJWT alone reads "1999999999" too), and a token
may not live longer than `max_lifetime_s` (exp - iat): a token minted for a century is refused.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import jwt
from jwt import PyJWK

ASYMMETRIC_PREFIXES = ("RS", "PS", "ES", "Ed")


class Role(StrEnum):
    ORG_ADMIN = "org_admin"  # 组织部
    DISCIPLINE_OFFICER = "discipline_officer"  # 纪检监察
    PETITIONS_STAFF = "petitions_staff"  # 信访举报 staff; the only role that may reveal reporter identity
    ASSESSOR = "assessor"  # unit leader
    CADRE = "cadre"  # self-service
    AUDITOR = "auditor"  # read-only
    SUBSCRIBER = "subscriber"  # event feed only


class AuthError(Exception):
    """The request carries no valid credentials (401)."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: roles, the org unit whose subtree they may see, and their own cadre id if any."""

    subject: str
    roles: frozenset[Role]
    unit_id: str | None
    cadre_id: str | None = None
    name: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def has(self, *roles: Role) -> bool:
        """Tells whether the principal holds any of `roles`."""
        return bool(self.roles.intersection(roles))


class TokenVerifier:
    """Verifies bearer JWTs against a JWKS with fixed algorithms, issuer and audience."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        algorithms: list[str],
        jwks_file: Path | None = None,
        jwks_url: str | None = None,
        leeway_s: int = 30,
        max_token_bytes: int = 8192,
        max_lifetime_s: int = 12 * 3600,
    ) -> None:
        bad = [a for a in algorithms if not a.startswith(ASYMMETRIC_PREFIXES)]
        if bad or not algorithms:
            raise ValueError(f"only asymmetric algorithms are allowed, got {algorithms}")
        if not (jwks_file or jwks_url):
            raise ValueError("a JWKS file or URL is required")
        self.issuer = issuer
        self.audience = audience
        self.algorithms = list(algorithms)
        self.jwks_file = Path(jwks_file) if jwks_file else None
        self.jwks_url = jwks_url
        self.leeway = min(leeway_s, 30)
        self.max_token_bytes = max_token_bytes
        self.max_lifetime_s = max_lifetime_s
        self._keys: dict[str, PyJWK] = {}
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()
        self._cache: dict[str, tuple[float, Principal]] = {}

    def _parse_jwks(self, document: dict[str, Any]) -> dict[str, PyJWK]:
        keys: dict[str, PyJWK] = {}
        for entry in document.get("keys", []):
            kid = entry.get("kid")
            if not kid or entry.get("kty") == "oct" or "d" in entry:
                continue  # no symmetric keys and no private material are ever accepted as verification keys
            alg = entry.get("alg")
            if alg and alg not in self.algorithms:
                continue
            keys[kid] = PyJWK(entry, algorithm=alg or self.algorithms[0])
        return keys

    async def _load(self, *, force: bool = False) -> None:
        async with self._lock:
            if not force and self._keys and time.monotonic() - self._loaded_at < 300:
                return
            if force and time.monotonic() - self._loaded_at < 10:
                return  # an unknown kid may not trigger more than one refresh per 10 s
            if self.jwks_file is not None:
                document = json.loads(self.jwks_file.read_text(encoding="utf-8"))
            else:
                import httpx

                async with httpx.AsyncClient(timeout=5, follow_redirects=False) as client:
                    response = await client.get(self.jwks_url)  # type: ignore[arg-type]
                    response.raise_for_status()
                    document = response.json()
            self._keys = self._parse_jwks(document)
            self._loaded_at = time.monotonic()

    async def verify(self, token: str) -> Principal:
        """Returns the principal of a valid token, or raises AuthError."""
        if len(token) > self.max_token_bytes:
            raise AuthError("token too large")
        now = time.time()
        cached = self._cache.get(token)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthError("malformed token") from None
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in self.algorithms:
            raise AuthError("algorithm not allowed")
        if not kid or not isinstance(kid, str):
            raise AuthError("token has no key id")
        await self._load()
        key = self._keys.get(kid)
        if key is None:
            await self._load(force=True)
            key = self._keys.get(kid)
            if key is None:
                raise AuthError("unknown key id")
        try:
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=self.algorithms,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "nbf", "iat", "aud", "iss", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token: {type(exc).__name__}") from None
        self._check_times(claims)
        principal = principal_from_claims(claims)
        if len(self._cache) > 10_000:
            self._cache.clear()
        # Cache until expiry (bounded by 60 s) so that repeated calls skip the signature check.
        self._cache[token] = (min(float(claims["exp"]), now + 60), principal)
        return principal

    def _check_times(self, claims: dict[str, Any]) -> None:
        """Requires numeric exp, nbf and iat, and a lifetime (exp - iat) within the configured maximum."""
        for name in ("exp", "nbf", "iat"):
            value = claims.get(name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise AuthError(f"invalid token: {name} must be a number")
        if claims["exp"] - claims["iat"] > self.max_lifetime_s:
            raise AuthError("invalid token: lifetime exceeds the maximum")


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """Builds a principal from verified claims; unknown roles are ignored, no roles means no access."""
    raw_roles = claims.get("roles", [])
    if isinstance(raw_roles, str):
        raw_roles = [raw_roles]
    roles = frozenset(Role(r) for r in raw_roles if r in Role._value2member_map_)
    unit = claims.get("unit")
    cadre = claims.get("cadre_id")
    for value in (claims["sub"], unit, cadre, claims.get("name")):
        if isinstance(value, str) and "\x00" in value:
            # These reach SQL (scope lookups, audit rows) and PostgreSQL text cannot hold NUL.
            raise AuthError("invalid token: a claim contains a NUL character")
    return Principal(
        subject=str(claims["sub"]),
        roles=roles,
        unit_id=str(unit) if unit else None,
        cadre_id=str(cadre) if cadre else None,
        name=claims.get("name"),
        claims=claims,
    )
