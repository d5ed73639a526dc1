"""Prometheus metrics of the gateway (upstream calls, degraded parts, rate limiting, the feed)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

UPSTREAM_CALLS = Counter("youwei_gateway_upstream_calls_total", "Calls to upstream services", ["service", "outcome"])
UPSTREAM_SECONDS = Histogram(
    "youwei_gateway_upstream_seconds",
    "Upstream call latency (all attempts)",
    ["service"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
DEGRADED_PARTS = Counter(
    "youwei_gateway_degraded_parts_total", "Dossier or dashboard parts left out", ["view", "service"]
)
RATE_LIMITED = Counter("youwei_gateway_rate_limited_total", "Requests refused with 429", ["bucket"])
RATE_LIMIT_LOCAL = Counter(
    "youwei_gateway_rate_limit_local_total",
    "Hits the shared (NATS key-value) counters could not answer, decided by the process's own limiter",
    ["bucket"],
)
FEED_CONNECTIONS = Gauge("youwei_gateway_feed_connections", "Open live-feed (SSE) connections")
FEED_EVENTS = Counter("youwei_gateway_feed_events_total", "Events sent on the live feed")
