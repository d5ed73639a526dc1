"""Thin pass-through: /api/v1/<segment>/... goes to the service that owns <segment> (docs/permissions.md)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

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
    allowed = own_methods(gateway.own_routes, request.scope["path"])
    if allowed:
        # A path of the gateway's own routes with another method: never forwarded to the segment's owner.
        raise ProblemException(405, "method not allowed", type_="method-not-allowed",
                               headers={"Allow": ", ".join(allowed)})
    try:
        route = resolve(path.split("?", 1)[0])
    except NotRoutable:
        raise ProblemException(404, "no such resource", type_="not-found") from None
    if route.public:
        principal = await authenticate_optional(request)
        if principal is None:
            gateway.limits.check("public", client_key(request, None))
    else:
        principal = await authenticate(request)
        forbid_unless(principal, *OBJECT_ROLES)
    gateway.limits.check("general", client_key(request, principal))
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


def own_methods(routes: list[Route], path: str) -> list[str]:
    """Lists the methods of the gateway's own routes whose template matches `path` (for a 405's Allow header)."""
    methods: set[str] = set()
    for candidate in routes:
        if candidate.methods and candidate.path_regex.match(path):
            methods |= candidate.methods
    return sorted(methods)


def proxy_route() -> Route:
    """Returns the catch-all route; it must come after the gateway's own routes.

    Every method is forwarded: the owning service knows which methods a path supports and answers 405 with the
    right Allow header (the gateway's own list would be wrong for every path).
    """
    route = Route("/api/v1/{path:path}", endpoint=forward, include_in_schema=False, name="proxy-forward")
    # NOTE: Starlette turns methods=None into ["GET"] for function endpoints; None after construction means "any".
    route.methods = None
    return route
