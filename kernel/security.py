"""FastAPI dependencies for authentication and role checks; every service verifies the bearer token itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kernel.auth import AuthError, Principal, Role
from kernel.web import ProblemException

_bearer = HTTPBearer(auto_error=False, description="OAuth2/OIDC access token (JWT)")
TOKEN_QUERY_PARAMS = ("access_token", "token", "jwt", "id_token")


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Authenticates the request from its Authorization header (tokens in query strings are refused)."""
    if any(name in request.query_params for name in TOKEN_QUERY_PARAMS):
        raise AuthError("tokens are not accepted in the query string")
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise AuthError("missing bearer token")
    return await request.app.state.verifier.verify(credentials.credentials)


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require(*roles: Role):
    """Returns a dependency that lets only `roles` through (403 for an authenticated caller without them)."""

    async def dependency(principal: PrincipalDep) -> Principal:
        if not principal.has(*roles):
            raise ProblemException(
                403, "your role may not do this", type_="forbidden", required_roles=sorted(r.value for r in roles)
            )
        return principal

    return Depends(dependency)
