"""Which headers cross the gateway: an allow-list each way, plus the request's ids and trace context."""

from __future__ import annotations

import re

from kernel import context

# Request headers relayed to a service. Identity never travels in headers: the service verifies the bearer
# token itself. Host, X-Forwarded-Host, cookies and hop-by-hop headers are never relayed (docs/reliability.md S8).
REQUEST_HEADERS = frozenset(
    {
        b"authorization",
        b"content-type",
        b"accept",
        b"accept-language",
        b"idempotency-key",
        b"x-purpose",
        b"if-match",
        b"if-none-match",
        b"x-consistency-token",
        b"prefer",  # `Prefer: consistency=eventual` (kernel/consistency.py)
    }
)
# Response headers relayed to the client; Location only when it is a path under /api/v1/ (never an internal URL).
RESPONSE_HEADERS = frozenset(
    {
        "content-type",
        "etag",
        "last-modified",
        "retry-after",
        "content-disposition",
        "www-authenticate",
        "link",
        "allow",
        "content-language",
        "cache-control",
        "idempotency-replayed",
        "x-consistency-token",
        "preference-applied",
        "vary",  # Accept-Language on a service's labelled answer (kernel/i18n.py)
    }
)
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")


def upstream_headers(raw: list[tuple[bytes, bytes]], client_host: str | None) -> list[tuple[str, str]]:
    """Builds the headers of an upstream call from the client's request headers and the request context."""
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw if k in REQUEST_HEADERS]
    return headers + context_headers(client_host)


def context_headers(client_host: str | None = None) -> list[tuple[str, str]]:
    """Returns the request id, correlation id, trace context and client address to send upstream."""
    out: list[tuple[str, str]] = []
    rid = context.request_id.get()
    if rid:
        out.append(("x-request-id", rid))
    cid = context.correlation_id.get()
    if cid:
        out.append(("x-correlation-id", cid))
    trace = context.traceparent.get()
    if trace and _TRACEPARENT.match(trace):
        out.append(("traceparent", trace))
    if client_host:
        # The gateway is the edge: it states the address it saw and never relays a client-supplied chain.
        out.append(("x-forwarded-for", client_host))
    return out


def response_headers(upstream: list[tuple[str, str]]) -> dict[str, str]:
    """Filters an upstream answer's headers down to those a client may see."""
    out: dict[str, str] = {}
    for key, value in upstream:
        name = key.lower()
        if name in RESPONSE_HEADERS:
            out[name] = value
        elif name == "location" and value.startswith("/api/v1/") and "//" not in value:
            out[name] = value
    return out
