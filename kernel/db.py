"""Database engines for SQLite (embedded) and PostgreSQL (compose), with durability checked at start."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, MetaData, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.types import TypeDecorator

from kernel.sqlite_driver import use_one_hop_cursors

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 5000
# Reads through a memory map of the database file: pages come from the OS page cache, shared by every connection,
# instead of being copied (pread) into each connection's own 2 MiB page cache. Writes still go through write()
# (SQLite's default), so durability is as before. It is address space, not memory: a file larger than 1 GiB is
# read through the map up to there and as before beyond (sqlite.org/mmap.html). The tolerance bench (a 370 MB file):
# the catch-up sweep of 394,000 restrictions 198 -> 76 s, the as-of question for 10,000 cadres 0.68 -> 0.10 s.
SQLITE_MMAP_BYTES = 1024 * 1024 * 1024
NETWORK_FILESYSTEMS = frozenset({"nfs", "nfs4", "cifs", "smb", "smb2", "smbfs", "fuse.sshfs", "9p", "afs", "glusterfs"})


class DurabilityError(RuntimeError):
    """The database is configured so that a committed write could be lost (docs/reliability.md R11)."""


def new_metadata() -> MetaData:
    """Creates a service's own MetaData with the constraint naming convention (needed by batch migrations)."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    """Returns the current time as an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator):
    """Stores aware datetimes as UTC on every backend and always returns them aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware datetime")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


@dataclass
class Database:
    """The engines of one service: a single writer (SQLite allows one) and readers; on PostgreSQL they are one pool.

    On SQLite every write transaction first takes `write_lock`, a FIFO-fair asyncio.Lock: the one-connection
    pool alone lets a newly arriving request overtake woken waiters, which starved some writers for seconds.
    """

    url: str
    writer: AsyncEngine
    reader: AsyncEngine
    write_lock: asyncio.Lock | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.writer.dialect.name == "sqlite"

    @property
    def dialect(self) -> str:
        return self.writer.dialect.name

    async def dispose(self) -> None:
        """Closes every pooled connection."""
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()

    async def ping(self) -> None:
        """Runs a trivial query on the reader pool (readiness probe)."""
        async with self.reader.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def verify_durability(self, *, require_durable: bool = True) -> None:
        """Refuses to start on settings that lose committed writes: SQLite not WAL+FULL, network paths, PG fsync off."""
        if self.is_sqlite:
            async with self.writer.connect() as conn:
                mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
                sync = (await conn.exec_driver_sql("PRAGMA synchronous")).scalar()
                fks = (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar()
                busy = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar()
            problems = []
            if str(mode).lower() != "wal":
                problems.append(f"journal_mode={mode} (need wal)")
            if int(sync) < 2:
                problems.append(f"synchronous={sync} (need FULL=2)")
            if int(fks) != 1:
                problems.append("foreign_keys off")
            if int(busy) < SQLITE_BUSY_TIMEOUT_MS:
                problems.append(f"busy_timeout={busy} (need >= {SQLITE_BUSY_TIMEOUT_MS})")
            path = sqlite_path(self.url)
            if path is not None:
                fs = filesystem_type(path)
                if fs in NETWORK_FILESYSTEMS:
                    problems.append(f"{path} is on a network filesystem ({fs}); WAL needs a local disk")
            if problems:
                raise DurabilityError("SQLite is not durable: " + "; ".join(problems))
            return
        if not require_durable:
            return
        async with self.writer.connect() as conn:
            fsync = (await conn.exec_driver_sql("SHOW fsync")).scalar()
            sync_commit = (await conn.exec_driver_sql("SHOW synchronous_commit")).scalar()
        if str(fsync).lower() != "on" or str(sync_commit).lower() == "off":
            raise DurabilityError(f"PostgreSQL is not durable: fsync={fsync}, synchronous_commit={sync_commit}")


def sqlite_path(url: str) -> Path | None:
    """Returns the file of a SQLite URL, or None for an in-memory database."""
    database = make_url(url).database
    if not database or database == ":memory:":
        return None
    return Path(database)


def filesystem_type(path: Path) -> str | None:
    """Returns the type of the filesystem that holds `path` (from /proc/mounts), or None if unknown."""
    try:
        target = path.resolve().parent
        best, best_type = "", None
        with open("/proc/mounts", encoding="utf-8") as mounts:
            for line in mounts:
                parts = line.split()
                if len(parts) < 3:
                    continue
                mount_point, fs_type = parts[1], parts[2]
                if str(target).startswith(mount_point) and len(mount_point) > len(best):
                    best, best_type = mount_point, fs_type
        return best_type
    except OSError:
        return None


def _install_sqlite_hooks(engine: AsyncEngine, *, begin: str, query_only: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        use_one_hop_cursors(dbapi_connection)
        # Take transaction control away from the driver so that we can emit BEGIN IMMEDIATE ourselves
        # (SQLAlchemy sqlite docs, "Using SQLAlchemy to emit BEGIN in lieu of SQLite's transaction control").
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        if query_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)


def make_database(
    url: str, *, pool_size: int = 8, statement_timeout_ms: int = 30_000, reader_pool_size: int = 4
) -> Database:
    """Creates the engines for a database URL; nothing connects until first use."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        # One writer connection: SQLite has one writer, and pooled writers make the busy handler sleep
        # (5x the p99 measured with 8 pooled connections, docs/architecture.md §6.6).
        writer = create_async_engine(url, pool_size=1, max_overflow=0, pool_timeout=60, hide_parameters=True)
        _install_sqlite_hooks(writer, begin="BEGIN IMMEDIATE", query_only=False)
        reader = create_async_engine(
            url, pool_size=reader_pool_size, max_overflow=0, pool_timeout=60, hide_parameters=True
        )
        _install_sqlite_hooks(reader, begin="BEGIN", query_only=True)
        return Database(url=url, writer=writer, reader=reader, write_lock=asyncio.Lock())
    connect_args: dict[str, Any] = {"server_settings": {"statement_timeout": str(statement_timeout_ms)}}
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_recycle=1800,
        connect_args=connect_args,
        hide_parameters=True,  # SQL parameters hold personal data: never in logs or error messages
    )
    ping_when_idle(engine)
    return Database(url=url, writer=engine, reader=engine)


# A pooled connection idle longer than this is pinged before use; one used more recently is trusted.
PG_IDLE_PING_S = 10.0


def ping_when_idle(engine: AsyncEngine, idle_s: float = PG_IDLE_PING_S) -> None:
    """Pings a pooled PostgreSQL connection on checkout only when it sat idle for `idle_s` or more.

    SQLAlchemy's `pool_pre_ping` pings on every checkout: for asyncpg a BEGIN, a `;` and a ROLLBACK, three round
    trips before each request's first statement (issue 15). Under load connections come back within milliseconds,
    so only those left idle (where a server restart or a dropped network path would show) are pinged; a dead one
    is replaced before use. A connection the server dropped within the last `idle_s` fails its first statement
    instead, like the requests in flight when the server went away, and that failure invalidates the whole pool
    (SQLAlchemy's disconnect handling), so the next request gets a fresh connection.
    """
    from sqlalchemy.exc import DisconnectionError

    @event.listens_for(engine.sync_engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle_s:
            return  # new (just connected) or recently used
        try:
            dbapi_connection.ping()
        except Exception as exc:  # the pool discards this connection and checks out another
            raise DisconnectionError("pooled connection lost while idle") from exc


def count_statements(service: str, *engines: AsyncEngine) -> None:
    """Counts every statement the engines send in `youwei_sql_statements_total{service}` (an executemany counts
    once): with `process_cpu_seconds_total` it gives the statements and CPU per request (`python -m bench cpu`)."""
    from kernel.metrics import SQL_STATEMENTS

    counter = SQL_STATEMENTS.labels(service)
    for engine in {id(e): e for e in engines}.values():
        event.listen(engine.sync_engine, "before_cursor_execute", lambda *_args: counter.inc())


def make_audit_engine(db: Database) -> AsyncEngine:
    """Returns the engine the audit of reads appends with on PostgreSQL: its own pool. An audited read keeps its
    request's connection while it waits for its row; appending from that same pool wedged a process once as many
    reads as the pool holds waited at once (16 dossiers at a time against 8 + 8 connections, until the 30 s checkout
    timeout). The appender sends one group at a time, so one connection serves it."""
    engine = create_async_engine(db.url, pool_size=1, max_overflow=1, hide_parameters=True)
    ping_when_idle(engine)
    return engine


def make_relay_engine(db: Database) -> AsyncEngine:
    """Returns the engine the outbox relay uses: its own small pool on PostgreSQL, the single writer on SQLite."""
    if db.is_sqlite:
        return db.writer
    # Its commits (leases, marks) need no fsync of their own: lost in a crash, a lease lapses and a mark is redone by
    # publishing the row again (the stream drops the copy by its Nats-Msg-Id, a consumer's inbox after that), so they
    # do not wait for the disk and a write waiting for its events is answered sooner.
    engine = create_async_engine(
        db.url,
        pool_size=2,
        max_overflow=0,
        hide_parameters=True,
        connect_args={"server_settings": {"synchronous_commit": "off"}},
    )
    ping_when_idle(engine)
    return engine
