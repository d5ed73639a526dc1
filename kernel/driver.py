"""Statements handed to asyncpg itself, on a connection SQLAlchemy holds (issue 15, docs/architecture.md §6.4).

A statement run through SQLAlchemy's asyncio layer, even one already compiled (`exec_driver_sql`), crosses a
greenlet, SQLAlchemy's execution context and its DBAPI adapter of asyncpg: 107-138 µs of CPU for a one-row SELECT,
against 38-52 µs with asyncpg's own `fetch` (one process, 3,000 executions each). A registration runs about three
such statements in rank and each consumer about one and a half, so the layer was about a tenth of the services' CPU
per registration.

`run` sends SQL text with positional parameters straight to the asyncpg connection inside the SQLAlchemy
connection's transaction, and keeps what callers rely on:
  - the transaction: the statement runs in the one SQLAlchemy begun (begun here, as SQLAlchemy would, when none
    is), and asyncpg's transaction starts first when it has not yet;
  - the errors: a database error is raised as SQLAlchemy's (`IntegrityError`, `OperationalError`…), and a lost
    connection is invalidated in the pool, exactly as SQLAlchemy's own execution does;
  - the listeners: `before_cursor_execute` is called with the statement and its parameters (the statement counters
    of /metrics and of the tests).
Elsewhere (SQLite, or an adapter without what this needs), `run` is `exec_driver_sql`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.util import greenlet_spawn


class DriverResult:
    """What callers read of a result: `rowcount` (-1 when unknown, as after executemany) and `all()`."""

    __slots__ = ("rowcount", "_rows")

    def __init__(self, rowcount: int, rows: list[Any]) -> None:
        self.rowcount = rowcount
        self._rows = rows

    def all(self) -> list[Any]:
        return self._rows


def _direct(adapted: Any) -> bool:
    """Whether the DBAPI adapter is SQLAlchemy's for asyncpg, with the attributes the direct path uses (not public
    API: SQLAlchemy is pinned to 2.1, and an adapter without them goes through `exec_driver_sql`); checked once per
    adapter class."""
    kind = type(adapted)
    known = _ADAPTERS.get(kind)
    if known is None:
        known = _ADAPTERS[kind] = (
            all(
                hasattr(adapted, name)
                for name in ("_connection", "_transaction", "_start_transaction", "_handle_exception", "_prepare")
            )
            and hasattr(adapted, "_execute_mutex")
            and type(adapted._connection).__module__.startswith("asyncpg")
        )
    return known


_ADAPTERS: dict[type, bool] = {}
_COUNT = re.compile(r"(?:SELECT|UPDATE|DELETE|INSERT \d+) (\d+)")  # the rows a command status reports (as SQLAlchemy)


async def run(
    conn: AsyncConnection, sql: str, params: Sequence[Any] | Sequence[Sequence[Any]], *, many: bool = False
) -> Any:
    """Runs `sql` (the dialect's paramstyle: `$1` on PostgreSQL) with one tuple of parameters, or with each of
    `params` when `many`; returns a result with `rowcount` and `all()` (rows as sequences, asyncpg's records on the
    direct path, with no type processing: the values `exec_driver_sql` returns)."""
    sync = conn.sync_connection
    fairy = sync._dbapi_connection if sync is not None else None
    adapted = getattr(fairy, "dbapi_connection", None)
    if conn.dialect.name != "postgresql" or adapted is None or not _direct(adapted):
        return await conn.exec_driver_sql(sql, list(params) if many else tuple(params))
    if not sync.in_transaction():
        sync.begin()  # what SQLAlchemy's autobegin does: no I/O for this dialect, the BEGIN goes with the statement
    if sync._has_events or sync.engine._has_events:
        for listener in sync.dispatch.before_cursor_execute:
            listener(sync, None, sql, params, None, many)
    try:
        async with adapted._execute_mutex:  # as SQLAlchemy's cursor: one operation at a time on the connection
            if adapted._transaction is None:
                await adapted._start_transaction()  # a no-op on an AUTOCOMMIT connection
            if many:
                await adapted._connection.executemany(sql, params)
                return DriverResult(-1, [])
            # SQLAlchemy's own cache of prepared statements on this connection (the one `exec_driver_sql` fills)
            prepared, _ = await adapted._prepare(sql, sync.dialect._invalidate_schema_cache_asof)
            rows = await prepared.fetch(*params)
            counted = _COUNT.match(prepared.get_statusmsg() or "")
            return DriverResult(int(counted.group(1)) if counted else -1, rows)
    except BaseException as error:
        await greenlet_spawn(_raise, sync, adapted, error, sql, params)
        raise  # not reached: _raise raises


def _raise(sync: Any, adapted: Any, error: BaseException, sql: str, params: Any) -> None:
    """Raises `error` as SQLAlchemy's execution would: a database error translated by the adapter into its DBAPI
    exception, then wrapped by the Connection, which invalidates the connection when it was lost; a cancellation
    (or another exit) as itself, the connection invalidated, its protocol state being unknown. Runs in a greenlet:
    invalidating closes the connection. (The Connection reads the exception being handled: hence the raise.)"""
    try:
        raise error
    except Exception as raised:
        try:
            adapted._handle_exception(raised)
        except Exception as dbapi_error:
            sync._handle_dbapi_exception(dbapi_error, sql, params, None, None)
    except BaseException as exiting:
        sync._handle_dbapi_exception(exiting, sql, params, None, None)
