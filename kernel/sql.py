"""INSERT … ON CONFLICT for SQLite and PostgreSQL, the one way every service writes a row by its natural key;
the rows of one write in several tables in one statement on PostgreSQL (`insert_all`); bulk lookups (`one_of`).

Each statement is built once per table, dialect, columns and keys, and run with bound parameters: a consumer
writes a projection row per event, and building a Core statement each time cost more CPU than running it
(docs/architecture.md §6.5).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Numeric, String, Table, any_, bindparam, insert, literal_column, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel import driver

_BUILT: dict[tuple[Any, ...], Any] = {}


def _insert(dialect_name: str, table: Table, columns: tuple[str, ...]) -> Any:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(table).values({c: bindparam(c) for c in columns})


def _upsert_statement(
    dialect_name: str, table: Table, columns: tuple[str, ...], keys: tuple[str, ...], update: tuple[str, ...] | None
) -> Any:
    cache_key = ("upsert", table, dialect_name, columns, keys, update)
    stmt = _BUILT.get(cache_key)
    if stmt is None:
        insert = _insert(dialect_name, table, columns)
        changed = update if update is not None else tuple(c for c in columns if c not in keys)
        stmt = _BUILT[cache_key] = insert.on_conflict_do_update(
            index_elements=list(keys), set_={c: insert.excluded[c] for c in changed}
        )
    return stmt


def _ignore_statement(dialect_name: str, table: Table, columns: tuple[str, ...], keys: tuple[str, ...]) -> Any:
    cache_key = ("ignore", table, dialect_name, columns, keys)
    stmt = _BUILT.get(cache_key)
    if stmt is None:
        stmt = _BUILT[cache_key] = _insert(dialect_name, table, columns).on_conflict_do_nothing(
            index_elements=list(keys)
        )
    return stmt


async def upsert(
    conn: AsyncConnection,
    table: Table,
    values: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    *,
    update: Sequence[str] | None = None,
) -> None:
    """Inserts a row (or many rows with the same columns) or, when its `keys` exist, sets the `update` columns
    (default: every column given that is not a key) to the new values."""
    rows = [values] if isinstance(values, Mapping) else list(values)
    if not rows:
        return
    stmt = _upsert_statement(
        conn.dialect.name, table, tuple(rows[0]), tuple(keys), None if update is None else tuple(update)
    )
    await execute_prebuilt(conn, stmt, rows)


async def execute_prebuilt(conn: AsyncConnection, stmt: Any, rows: Sequence[Mapping[str, Any]]) -> Any:
    """Runs a statement built once (no RETURNING) with one or many parameter sets, at the driver level: compiled once
    per dialect, each value through its parameter's bind processing as SQLAlchemy would, but without SQLAlchemy's
    per-execution handling of parameters, which cost a consumer more than the database's work for a projection row
    (issue 15), and on PostgreSQL handed to asyncpg itself (`kernel.driver`). A statement to which SQLAlchemy adds
    parameters at execution (a column default, an expanding IN, a value rendered into the SQL) runs through
    SQLAlchemy. Returns the result (its rowcount)."""
    form = _driver_form(stmt, conn.dialect)
    if form is None or form[2]:  # it returns rows: SQLAlchemy reads them
        return await conn.execute(stmt, rows[0] if len(rows) == 1 else list(rows))
    sql, order, _ = form
    if len(rows) == 1:
        return await driver.run(conn, sql, _bound(order, rows[0]))
    return await driver.run(conn, sql, [_bound(order, row) for row in rows], many=True)


async def fetch_prebuilt(conn: AsyncConnection, stmt: Any, params: Mapping[str, Any]) -> list[Sequence[Any]]:
    """Runs a statement built once that returns rows (a SELECT, or a write with RETURNING) with one parameter set, at
    the driver level as `execute_prebuilt` does; answers its rows, each a sequence in the order of the statement's
    columns, every value through its column type's result processing as SQLAlchemy would (a `UtcDateTime` comes
    back aware). Runs through SQLAlchemy where `execute_prebuilt` would, and for a column type whose result
    processing depends on the type the driver reports (numerics)."""
    form = _driver_form(stmt, conn.dialect)
    if form is None or not form[2]:
        return list((await conn.execute(stmt, params)).all())
    sql, order, processors = form
    rows = (await driver.run(conn, sql, _bound(order, params))).all()
    if not any(processors):
        return rows
    return [tuple(p(v) if p else v for p, v in zip(processors, row, strict=True)) for row in rows]


def _bound(order: list[tuple[str, Any, bool, Any]], row: Mapping[str, Any]) -> tuple[Any, ...]:
    """A row's positional parameters: each named value through its bind processor; for a value written in the
    statement, the row's if it names it (as SQLAlchemy does), else the statement's."""
    return tuple(value if fixed and n not in row else p(row[n]) if p else row[n] for n, p, fixed, value in order)


def _driver_form(stmt: Any, dialect: Any) -> tuple[str, list[tuple[str, Any, bool, Any]], tuple[Any, ...]] | None:
    """`stmt` compiled for `dialect`, once: its SQL; for each positional parameter in order, its name, its bind
    processor (None: the value as is), and whether it is the statement's own value, with that value bound; and the
    result processor of each column it returns (none when it returns no rows). None when it cannot run at the
    driver level."""
    cache_key = ("driver", stmt, dialect.name)
    if cache_key not in _BUILT:  # None is a result too
        compiled = stmt.compile(dialect=dialect)
        names = list(compiled.positiontup or ())
        processors = _result_processors(stmt, dialect)
        plain = (
            bool(names)
            and processors is not None
            and all(not compiled.binds[n].expanding and compiled.binds[n].callable is None for n in names)
            # A value rendered into the SQL at execution (`literal_execute`, as `aggregate_strings` does its separator).
            and not compiled.literal_execute_params
            and not compiled.post_compile_params
            # A value SQLAlchemy computes before executing (a Column default or onupdate the statement leaves out).
            and not compiled.insert_prefetch
            and not compiled.update_prefetch
        )
        order = []
        for name in names:
            bind = compiled.binds[name]
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)  # the dialect's own (SQLite's DATE)
            if bind.required:  # given by each row
                order.append((name, process, False, None))
            else:  # a value written in the statement (`values(dirty=False)`, `attempts - 1`): bound once here
                value = bind.effective_value
                order.append((name, process, True, process(value) if process else value))
        _BUILT[cache_key] = (str(compiled), order, processors) if plain else None
    return _BUILT[cache_key]


def _result_processors(stmt: Any, dialect: Any) -> tuple[Any, ...] | None:
    """The result processor of each column `stmt` returns (None for a value taken as the driver gives it), none for a
    statement that returns no rows, or None when a column's processing depends on the type the driver reports
    at execution, which SQLAlchemy reads from the cursor (numerics)."""
    if not (getattr(stmt, "is_select", False) or getattr(stmt, "returning_column_descriptions", None)):
        return ()
    processors = []
    for column in stmt.exported_columns:
        impl = column.type.dialect_impl(dialect)
        if isinstance(getattr(impl, "impl_instance", impl), Numeric):
            return None
        processors.append(impl.result_processor(dialect, None))
    return tuple(processors)


async def insert_ignore(conn: AsyncConnection, table: Table, values: Mapping[str, Any], keys: Sequence[str]) -> bool:
    """Inserts a row unless a row with its `keys` exists; True if it was inserted."""
    stmt = _ignore_statement(conn.dialect.name, table, tuple(values), tuple(keys))
    result = await execute_prebuilt(conn, stmt, [values])
    return (result.rowcount or 0) == 1


async def insert_all(conn: AsyncConnection, parts: Sequence[tuple[Table, Sequence[Mapping[str, Any]]]]) -> None:
    """Inserts rows into several tables, table by table in the order given. On PostgreSQL, when each table has one
    row (a registration: the cadre, its standing and first assignment; a commit: its event and idempotency record),
    they go in one statement, every row but the last a data-modifying CTE: one round trip instead of one per table,
    which is most of the cost of a small write (docs/architecture.md §6.4). The foreign keys between them hold:
    PostgreSQL checks them at the end of the statement. Otherwise (SQLite, where a round trip is a call in the same
    process; several rows in a table, whose order an outbox must keep; a row leaving out a column with a default that
    SQLAlchemy computes), one statement per table. On PostgreSQL the combined statement is built once per shape and
    run at the driver level (`execute_prebuilt`).

    The combined statement has one row per table because SQLAlchemy does not cache a multi-row VALUES statement:
    compiling it on every call cost more than the round trips it saved."""
    parts = [(table, list(rows)) for table, rows in parts if rows]
    shape = tuple((table, tuple(rows[0])) for table, rows in parts)
    if (
        conn.dialect.name == "postgresql"
        and len(parts) > 1
        and all(len(rows) == 1 for _, rows in parts)
        and _combinable(shape)
    ):
        params = dict(zip(_parameter_names(shape), (v for _, rows in parts for v in rows[0].values()), strict=True))
        await execute_prebuilt(conn, _combined_insert(shape), [params])
        return
    for table, rows in parts:
        await conn.execute(_plain_insert(table), rows[0] if len(rows) == 1 else rows)


def _combinable(shape: tuple[tuple[Table, tuple[str, ...]], ...]) -> bool:
    """Whether rows of this shape can go in one statement: not when a row leaves out a column whose default
    SQLAlchemy computes (`Column(default=...)`), which it applies to a plain INSERT but not inside the combined one."""
    cache_key = ("combinable", shape)
    if cache_key not in _BUILT:
        _BUILT[cache_key] = not any(
            column.default is not None and column.name not in given
            for table, given in shape
            for column in table.columns
        )
    return _BUILT[cache_key]


def _plain_insert(table: Table) -> Any:
    stmt = _BUILT.get(("insert", table))
    if stmt is None:
        stmt = _BUILT[("insert", table)] = insert(table)
    return stmt


def _combined_insert(shape: tuple[tuple[Table, tuple[str, ...]], ...]) -> Any:
    cache_key = ("insert_all", shape)
    stmt = _BUILT.get(cache_key)
    if stmt is None:
        inserts = [
            insert(table).values({column: bindparam(f"v{i}_{k}") for k, column in enumerate(columns)})
            for i, (table, columns) in enumerate(shape)
        ]
        stmt = _BUILT[cache_key] = inserts[-1].add_cte(*(ins.cte(f"w{i}") for i, ins in enumerate(inserts[:-1])))
    return stmt


def _parameter_names(shape: tuple[tuple[Table, tuple[str, ...]], ...]) -> list[str]:
    """The combined statement's parameter names, in the order of the rows' values."""
    cache_key = ("insert_all_names", shape)
    names = _BUILT.get(cache_key)
    if names is None:
        names = _BUILT[cache_key] = [f"v{i}_{k}" for i, (_, columns) in enumerate(shape) for k in range(len(columns))]
    return names


def one_of(conn: AsyncConnection, column: Any, values: Sequence[Any]) -> Any:
    """`column IN values` for a bulk lookup. On PostgreSQL it is `column = ANY(:array)`, one parameter whatever the
    count: with an IN list of N parameters, a prepared statement run more than five times gets a generic plan
    that filters row by row, so a recompute over thousands of ids grew with the square of the table (issue 15).
    Elsewhere (SQLite) a plain IN list."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(column.type)))
    return column.in_(list(values))


def in_bound(column: Any, dialect: str, name: str = "ids") -> Any:
    """`column IN :name` for a statement built once per dialect and bound at execution (`{name: [values]}`):
    `= ANY(:name)`, one array parameter, on PostgreSQL (why: `one_of`); an expanding IN list on SQLite."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=postgresql.ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


DIALECTS = ("sqlite", "postgresql")  # the backends a statement built once per dialect is built for


async def analyze(conn: AsyncConnection, tables: Sequence[Table]) -> None:
    """Refreshes the planner statistics of `tables` after a bulk load, on PostgreSQL (ANALYZE; it may run inside
    the loading transaction). Until then PostgreSQL plans against the statistics from before the load (none, for a
    table never analyzed, and autovacuum may be off or late), and a lookup can become a scan of the whole table.

    A no-op on SQLite: its planner without statistics assumes an index narrows a lookup to a few rows, which is
    what our bulk lookups want, while `sqlite_stat1` rows written once are never refreshed and steer it later."""
    if conn.dialect.name != "postgresql" or not tables:
        return
    names = ", ".join(conn.dialect.identifier_preparer.format_table(t) for t in tables)
    await conn.execute(text(f"ANALYZE {names}"))


def without_affinity(column: Any) -> Any:
    """SQLite only: `+table.column`, the column without its affinity. A `Date` column has NUMERIC affinity (declared
    type DATE), so comparing it with a bound ISO date first tries to read that date as a number, on every row the
    filter sees; without affinity both sides are text, which is how ISO dates compare (docs/DEVELOPING.md). Use it
    in filters over many rows, not in a term that should seek an index (the unary + keeps SQLite from using one)."""
    return literal_column(f"+{column.table.name}.{column.name}", String)
