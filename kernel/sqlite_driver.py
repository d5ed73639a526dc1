"""One thread hop per SQLite statement instead of four (issue 15: the statement is most of a request's CPU).

SQLAlchemy's aiosqlite adapter sends each statement to aiosqlite's worker thread in four round trips (open a
cursor, execute, fetch all, close), each a queue put, a thread wake-up and a future resolved on the event loop.
`OneHopCursor` does the same four steps in one function run on that thread and keeps the description, row count,
last row id and rows it returns. The SQL, the sqlite3 connection, the transaction and the errors are the same;
`use_one_hop_cursors` switches a connection over when the pool opens it (kernel.db).
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_cursor
from sqlalchemy.util.concurrency import await_


def _run_statement(
    conn: sqlite3.Connection, operation: str, parameters: Any, many: bool
) -> tuple[Any, list[Any], int, int | None]:
    """Runs a statement (once, or once per parameter set) on the driver thread: its description, every row (also
    of an INSERT … RETURNING through executemany), rowcount and lastrowid, the cursor closed."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement runs on the driver thread in one call (the rows come back with it)."""

    __slots__ = ("_description", "_rowcount", "_lastrowid", "_arraysize")

    def __init__(self, adapt_connection: Any) -> None:  # no driver cursor to open: nothing crosses threads here
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = {}  # type: ignore[assignment]
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        return None  # the driver cursor is closed already, on its thread

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            return await_(self._run(operation, parameters, False))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        try:
            return await_(self._run(operation, seq_of_parameters, True))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _run(self, operation: Any, parameters: Any, many: bool) -> None:
        connection = self._connection
        async with self._adapt_connection._execute_mutex:
            result = await connection._execute(_run_statement, connection._conn, operation, parameters, many)
        self._description, rows, self._rowcount, self._lastrowid = result
        self._rows = collections.deque(rows)


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """The aiosqlite adapter connection with one-hop cursors (server-side cursors unchanged)."""

    __slots__ = ()
    _cursor_cls = OneHopCursor  # type: ignore[assignment]


def use_one_hop_cursors(dbapi_connection: Any) -> None:
    """Switches a freshly opened aiosqlite adapter connection to one-hop cursors (a pool "connect" hook)."""
    if type(dbapi_connection) is AsyncAdapt_aiosqlite_connection:
        dbapi_connection.__class__ = OneHopConnection


async def run_on_driver_thread(conn: Any, fn: Any, *args: Any) -> Any:
    """Runs `fn(sqlite3_connection, *args)` on the driver's thread in one hop and returns its result: several
    statements (a whole short transaction) for the price of one (kernel.audit's append on SQLite). `conn` is an
    AsyncConnection checked out of a pool with one-hop cursors; `fn` owns the transaction it opens."""
    raw = await conn.get_raw_connection()
    adapt = raw.dbapi_connection
    async with adapt._execute_mutex:
        return await adapt._connection._execute(fn, adapt._connection._conn, *args)
