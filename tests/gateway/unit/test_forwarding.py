"""Header allow-lists: what the gateway sends upstream and what it relays back."""

from __future__ import annotations

from gateway.forwarding import response_headers, upstream_headers
from kernel import context


def test_only_allowed_headers_and_the_request_context_go_upstream():
    raw = [
        (b"authorization", b"Bearer t"),
        (b"host", b"evil.example"),
        (b"x-forwarded-host", b"evil.example"),
        (b"x-forwarded-for", b"10.0.0.1"),
        (b"x-user-id", b"admin"),
        (b"x-roles", b"org_admin"),
        (b"cookie", b"s=1"),
        (b"idempotency-key", b"k-12345678"),
        (b"x-purpose", b"APPOINTMENT"),
        (b"content-type", b"application/json"),
        (b"connection", b"keep-alive, x-purpose"),
    ]
    tokens = (
        context.request_id.set("rid-1"),
        context.correlation_id.set("cid-1"),
        context.traceparent.set("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
    )
    try:
        headers = dict(upstream_headers(raw, "192.0.2.7"))
    finally:
        context.request_id.reset(tokens[0])
        context.correlation_id.reset(tokens[1])
        context.traceparent.reset(tokens[2])
    assert headers == {
        "authorization": "Bearer t",
        "idempotency-key": "k-12345678",
        "x-purpose": "APPOINTMENT",
        "content-type": "application/json",
        "x-request-id": "rid-1",
        "x-correlation-id": "cid-1",
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "x-forwarded-for": "192.0.2.7",
    }


def test_a_malformed_traceparent_is_dropped():
    token = context.traceparent.set("00-zz-\r\nX: 1")
    try:
        assert "traceparent" not in dict(upstream_headers([], None))
    finally:
        context.traceparent.reset(token)


def test_only_safe_response_headers_are_relayed_and_locations_stay_relative():
    relayed = response_headers(
        [
            ("Content-Type", "application/json"),
            ("Server", "uvicorn"),
            ("Set-Cookie", "s=1"),
            ("ETag", '"v3"'),
            ("Location", "http://127.0.0.1:8004/api/v1/cadres/1"),
            ("X-Internal", "1"),
            ("Retry-After", "5"),
        ]
    )
    assert relayed == {"content-type": "application/json", "etag": '"v3"', "retry-after": "5"}
    assert response_headers([("Location", "/api/v1/cadres/1")]) == {"location": "/api/v1/cadres/1"}
    assert response_headers([("Location", "//evil.example/x")]) == {}
