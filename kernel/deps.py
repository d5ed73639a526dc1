"""Dependencies every service's routes use: the runtime and a reader connection."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.runtime import ServiceRuntime


def get_runtime(request: Request) -> ServiceRuntime:
    """Returns the runtime of the app serving the request."""
    return request.app.state.runtime


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]


async def get_reader(runtime: RuntimeDep) -> AsyncIterator[AsyncConnection]:
    """Yields a read-only connection (a snapshot on SQLite; the shared pool on PostgreSQL)."""
    assert runtime.db is not None
    async with runtime.db.reader.connect() as conn:
        yield conn


ReaderDep = Annotated[AsyncConnection, Depends(get_reader)]


def today() -> dt.date:
    """Returns today's date in the deployment's time zone (China Standard Time, UTC+8)."""
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


TodayDep = Annotated[dt.date, Depends(today)]
