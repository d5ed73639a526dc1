"""kernel.waits: a bounded wait for an event that a cancellation always reaches."""

from __future__ import annotations

import asyncio

import pytest

from kernel.waits import event_or_timeout


async def test_it_returns_when_the_event_is_set_or_the_bound_passes():
    event = asyncio.Event()
    assert await event_or_timeout(event, 0.01) is False
    asyncio.get_running_loop().call_later(0.01, event.set)
    assert await event_or_timeout(event, 5) is True
    assert await event_or_timeout(event, 0) is True  # already set


async def test_a_cancellation_reaches_the_waiter_even_as_the_event_is_set():
    # The race asyncio.wait_for loses on 3.11 (gh-86296): the inner wait finishes as the waiting task is cancelled.
    for _ in range(200):
        event = asyncio.Event()
        task = asyncio.create_task(event_or_timeout(event, 5))
        await asyncio.sleep(0)
        event.set()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert not [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
