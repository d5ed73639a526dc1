"""Waiting for an event with a bound, in a way a cancellation always reaches.

On Python 3.11 `asyncio.wait_for(event.wait(), timeout)` can lose the cancellation of the task waiting in it when
the inner wait finishes at the same moment (CPython gh-86296, fixed in 3.12). A background loop that sleeps that way
between rounds (a consumer, the outbox relay) then never ends, and whoever waits for it to stop (a process shutting
down, an event loop being closed) waits forever. `asyncio.wait` has no such window: the caller's cancellation is
raised at its await.
"""

from __future__ import annotations

import asyncio


async def event_or_timeout(event: asyncio.Event, timeout: float) -> bool:
    """Waits until `event` is set or `timeout` seconds pass; returns whether it is set."""
    if event.is_set():
        return True
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait({waiter}, timeout=timeout)
    finally:
        if not waiter.done():
            waiter.cancel()
    return event.is_set()
