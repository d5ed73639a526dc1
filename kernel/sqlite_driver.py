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


def _execute(conn: sqlite3.Connection, operation: str, parameters: Any) -> tuple[Any, list[Any], int, int | None]:
    cursor = conn.cursor()
    try:
        if parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _executemany(conn: sqlite3.Connection, operation: str, seq: Any) -> tuple[Any, list[Any], int, int | None]:
    cursor = conn.cursor()
    try:
        cursor.executemany(operation, seq)
        description = cursor.description
        rows = cursor.fetchall() if description else []  # INSERT … RETURNING through executemany
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
            return await_(self._run(_execute, operation, parameters))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        try:
            return await_(self._run(_executemany, operation, seq_of_parameters))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _run(self, fn: Any, operation: Any, parameters: Any) -> None:
        connection = self._connection
        async with self._adapt_connection._execute_mutex:
            result = await connection._execute(fn, connection._conn, operation, parameters)
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
