"""Thin pass-through: /api/v1/<segment>/... goes to the service that owns <segment> (docs/permissions.md)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope

from gateway.auth import OBJECT_ROLES, authenticate, authenticate_optional, forbid_unless
from gateway.errors import relay
from gateway.forwarding import upstream_headers
from gateway.limits import client_key
from gateway.routing import NotRoutable, resolve
from kernel.web import ProblemException

_BODYLESS = frozenset({"GET", "HEAD", "DELETE"})
_QUERY_SAFE = "=&+%;,/?:@!$'()*-._~"


async def forward(request: Request) -> Response:
    """Authenticates, rate-limits and forwards one request to the owning service, then relays its answer."""
    raw_path = request.scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else request.scope["path"]
    gateway = request.app.state.gateway
    try:
        route = resolve(path.split("?", 1)[0])
    except NotRoutable:
        raise ProblemException(404, "no such resource", type_="not-found") from None
    if route.public:
        principal = await authenticate_optional(request)
        if principal is None:
            await gateway.limits.check("public", client_key(request, None))
    else:
        principal = await authenticate(request)
        forbid_unless(principal, *OBJECT_ROLES)
    await gateway.limits.check("general", client_key(request, principal))
    method = request.method
    body = None
    if method not in _BODYLESS or "content-length" in request.headers or "transfer-encoding" in request.headers:
        body = await request.body()
    target = route.path
    query = request.scope.get("query_string")
    if query:
        # Characters a proxy must not pass raw ('#', spaces, quotes) are encoded; existing escapes are kept.
        target += "?" + quote(query.decode("latin-1"), safe=_QUERY_SAFE)
    headers = upstream_headers(request.scope["headers"], request.client.host if request.client else None)
    response = await gateway.clients[route.service].call(method, target, headers=headers, body=body)
    return relay(route.service, response)


class ProxyRoute(Route):
    """The catch-all pass-through, tried first: it declines the gateway's own paths, whatever the method.

    Tried first so that a pass-through request does not walk every other route; declining the own paths (instead
    of coming last) keeps them from ever reaching the owner of their first segment (`cadres/{id}/dossier`), and
    lets the router answer 405 with their Allow header for another method.
    """

    def __init__(self, own_routes: list[Route]) -> None:
        super().__init__("/api/v1/{path:path}", endpoint=forward, include_in_schema=False, name="proxy-forward")
        # NOTE: Starlette turns methods=None into ["GET"] for function endpoints; None after construction: any.
        self.methods = None
        self.own_routes = own_routes

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and any(r.path_regex.match(scope["path"]) for r in self.own_routes):
            return Match.NONE, {}
        return super().matches(scope)
