"""Request and event context carried from HTTP into events and logs (contextvars, safe across tasks)."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)
causation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("causation_id", default=None)
traceparent: contextvars.ContextVar[str | None] = contextvars.ContextVar("traceparent", default=None)


@contextmanager
def event_context(*, correlation: str | None, causation: str | None, trace: str | None = None) -> Iterator[None]:
    """Sets the correlation and causation of the work done while handling one event."""
    tokens = (correlation_id.set(correlation), causation_id.set(causation), traceparent.set(trace))
    try:
        yield
    finally:
        correlation_id.reset(tokens[0])
        causation_id.reset(tokens[1])
        traceparent.reset(tokens[2])
