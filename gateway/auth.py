"""Authentication at the gateway (docs/reliability.md S5) and the gateway's own role gates.

The gateway verifies every bearer token with kernel.auth before it forwards anything; the services verify the
same token again and enforce their own permission matrix, so nothing downstream trusts the gateway's word.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kernel.auth import AuthError, Principal, Role
from kernel.security import TOKEN_QUERY_PARAMS
from kernel.web import ProblemException

log = logging.getLogger("gateway.auth")

# Roles that may read objects through the gateway; a subscriber reads the event catalogue and feed only.
OBJECT_ROLES = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.PETITIONS_STAFF, Role.ASSESSOR, Role.CADRE, Role.AUDITOR)

_bearer = HTTPBearer(auto_error=False, description="OAuth2/OIDC access token (JWT)")


def _token(request: Request) -> str | None:
    if any(name in request.query_params for name in TOKEN_QUERY_PARAMS):
        raise AuthError("tokens are not accepted in the query string")
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthError("missing bearer token")
    return token


async def _verify(request: Request, token: str) -> Principal:
    verifier = request.app.state.verifier
    if verifier is None:
        raise ProblemException(
            503, "authentication is not configured", type_="auth-unavailable", headers={"Retry-After": "30"}
        )
    try:
        return await verifier.verify(token)
    except AuthError:
        raise
    except Exception as exc:
        # The JWKS could not be read (file missing, identity provider down): not the caller's fault.
        log.warning("token keys unavailable", extra={"error": type(exc).__name__})
        raise ProblemException(
            503, "token keys are unavailable", type_="auth-unavailable", headers={"Retry-After": "10"}
        ) from None


async def authenticate(request: Request) -> Principal:
    """Returns the verified principal of the request, or raises AuthError (401)."""
    token = _token(request)
    if token is None:
        raise AuthError("missing bearer token")
    return await _verify(request, token)


async def authenticate_optional(request: Request) -> Principal | None:
    """Returns the principal when a token is sent (it must then be valid), else None (anonymous)."""
    token = _token(request)
    return None if token is None else await _verify(request, token)


async def current_principal(
    request: Request, _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """Authenticates a request to one of the gateway's own routes."""
    return await authenticate(request)


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def forbid_unless(principal: Principal, *roles: Role) -> None:
    """Raises 403 unless the principal holds one of `roles` (checked before any object is looked up)."""
    if not principal.has(*roles):
        raise ProblemException(
            403, "your role may not do this", type_="forbidden", required_roles=sorted(r.value for r in roles)
        )


def require(*roles: Role):
    """Returns a dependency letting only `roles` through (403 for an authenticated caller without them)."""

    async def dependency(principal: PrincipalDep) -> Principal:
        forbid_unless(principal, *roles)
        return principal

    return Depends(dependency)
