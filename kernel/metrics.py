"""Prometheus metrics of the kernel machinery (labelled by service, so several apps can share a process)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter("youwei_http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
HTTP_LATENCY = Histogram(
    "youwei_http_request_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX_ENQUEUED = Counter("youwei_outbox_enqueued_total", "Events written to the outbox", ["service"])
OUTBOX_PUBLISHED = Counter("youwei_outbox_published_total", "Events published by the relay", ["service"])
OUTBOX_PUBLISH_ERRORS = Counter("youwei_outbox_publish_errors_total", "Failed publish attempts", ["service"])
OUTBOX_LAG = Gauge("youwei_outbox_lag_seconds", "Age of the oldest unpublished outbox row", ["service"])
EVENTS_CONSUMED = Counter(
    "youwei_events_consumed_total", "Events handled by consumers", ["consumer", "type", "outcome"]
)
EVENT_HANDLE_SECONDS = Histogram(
    "youwei_event_handle_seconds",
    "Time to apply one event (claim + handler + commit)",
    ["consumer"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5),
)
JOB_RUNS = Counter("youwei_job_runs_total", "Periodic job runs", ["service", "job", "outcome"])
JOB_ITEMS = Counter(
    "youwei_job_items_total", "Items periodic jobs handled, as each run reports them", ["service", "job"]
)
DEAD_LETTERS = Counter("youwei_dead_letters_total", "Events dead-lettered", ["consumer"])
SQL_STATEMENTS = Counter(
    "youwei_sql_statements_total", "SQL statements sent to the database (every engine of the service)", ["service"]
)
NATS_CONNECTED = Gauge("youwei_nats_connected", "1 while connected to NATS", ["service"])
