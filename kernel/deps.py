"""Dependencies every service's routes use: the runtime and a reader connection.

All are `async def`: FastAPI runs plain `def` dependencies in a thread pool, which cost more than the
whole database transaction of a write (measured on the skeleton's POST /cadres).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.runtime import ServiceRuntime


async def get_runtime(request: Request) -> ServiceRuntime:
    """Returns the runtime of the app serving the request."""
    return request.app.state.runtime


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]


async def get_reader(runtime: RuntimeDep) -> AsyncIterator[AsyncConnection]:
    """Yields a read-only connection (a snapshot on SQLite; the shared pool on PostgreSQL)."""
    assert runtime.db is not None
    async with runtime.db.reader.connect() as conn:
        yield conn


ReaderDep = Annotated[AsyncConnection, Depends(get_reader)]


async def today() -> dt.date:
    """Returns today's date in the deployment's time zone (China Standard Time, UTC+8)."""
    return china_today()


def china_today() -> dt.date:
    """Returns today's date in China Standard Time (UTC+8), the calendar the regulations count in."""
    return dt.datetime.now(CHINA).date()


CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


TodayDep = Annotated[dt.date, Depends(today)]
