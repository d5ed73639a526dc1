"""Dependencies every service's routes use: the runtime and a reader connection.

All are `async def`: FastAPI runs plain `def` dependencies in a thread pool, which cost more than the
whole database transaction of a write (measured on the skeleton's POST /cadres).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.access import cadre_not_found
from kernel.auth import Principal
from kernel.runtime import ServiceRuntime
from kernel.security import PrincipalDep
from kernel.service_context import ServiceContext


async def get_runtime(request: Request) -> ServiceRuntime:
    """Returns the runtime of the app serving the request."""
    return request.app.state.runtime


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]


def runtime_of(request: Request) -> ServiceRuntime:
    """The runtime of the app serving the request, for the dependencies every request solves (the unit of work, the
    reader, the context): taking `Request` instead of `RuntimeDep` spares FastAPI one sub-dependency to solve per
    request (issue 15: dependency solving was a tenth of rank's CPU per registration)."""
    return request.app.state.runtime


async def get_context(request: Request) -> ServiceContext:
    """Returns the service's context (settings, calendar, rule parameters…); each service types it:
    `ContextDep = Annotated[<Svc>Context, Depends(get_context)]`. Read from the request, not through `RuntimeDep`:
    FastAPI solves every dependency of every request afresh, and one level less is measurably cheaper (see
    `runtime_of`)."""
    return runtime_of(request).context


async def get_reader(request: Request) -> AsyncIterator[AsyncConnection]:
    """Yields a read-only connection: a snapshot on SQLite; on PostgreSQL a connection of the shared pool in
    autocommit, since at READ COMMITTED every statement takes its own snapshot anyway, so BEGIN and ROLLBACK would
    only add two round trips to every read."""
    runtime = runtime_of(request)
    assert runtime.db is not None
    async with runtime.db.reader.connect() as conn:
        if not runtime.db.is_sqlite:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
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


def cadre_filter(resolve_visible: Callable[[AsyncConnection, Principal, str], Awaitable[Any]]) -> Any:
    """Returns the type of a list's optional `cadre_id` query filter, checked by the suite's access rule.

    Naming a cadre the caller may not see answers the uniform 404 (kernel.access), as naming an unknown one does,
    instead of an empty page that would hide a mistake. `resolve_visible(conn, principal, cadre_id)` is the
    service's visibility check (None: not visible).
    """

    async def visible_cadre_filter(
        conn: ReaderDep,
        principal: PrincipalDep,
        cadre_id: Annotated[
            str | None,
            Query(
                max_length=64,
                description=("only this cadre's records (404 when the cadre is unknown or outside your scope)"),
            ),
        ] = None,
    ) -> str | None:
        if cadre_id is not None and await resolve_visible(conn, principal, cadre_id) is None:
            raise cadre_not_found()
        return cadre_id

    return Annotated[str | None, Depends(visible_cadre_filter)]
