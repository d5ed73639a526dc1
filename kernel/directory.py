"""The cadre directory and org tree that every consuming service keeps from rank's events, and scope checks.

Rank owns the master register; appraisal, petitions and tolerance keep this small projection so that they can
scope every read to the caller's org-unit subtree and apply the own-and-relatives rule (kernel.access).
Paths are stored as "/root/child/grandchild/" so that a subtree is a prefix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Date,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    bindparam,
    exists,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.access import Access, cadre_not_found, in_subtree, resolve
from kernel.auth import Principal
from kernel.consumer import Handler
from kernel.contracts import rank_v1
from kernel.db import UtcDateTime, utcnow
from kernel.envelope import CloudEvent
from kernel.errors import RuleViolation
from kernel.sql import upsert


def path_of(ids: list[str]) -> str:
    """Encodes ancestor ids (root first) as a prefix-searchable path."""
    return "/" + "/".join(ids) + "/" if ids else "/"


@dataclass(frozen=True)
class DirectoryTables:
    org_unit: Table
    cadre: Table


def directory_tables(metadata: MetaData) -> DirectoryTables:
    """Creates dir_org_unit and dir_cadre in a consuming service's MetaData."""
    org_unit = Table(
        "dir_org_unit",
        metadata,
        Column("org_unit_id", String(64), primary_key=True),
        Column("parent_id", String(64), nullable=True),
        Column("name", String(200), nullable=False),
        Column("agency_level", String(32), nullable=False),
        Column("path", String(1000), nullable=False),
        Column("active", Boolean, nullable=False),
        Column("updated_at", UtcDateTime, nullable=False),
        Index("ix_dir_org_unit_path", "path"),
    )
    cadre = Table(
        "dir_cadre",
        metadata,
        Column("cadre_id", String(64), primary_key=True),
        Column("name", String(200), nullable=False),
        Column("gender", String(8), nullable=False),
        Column("birth_date", Date, nullable=False),
        Column("entry_date", Date, nullable=True),  # null on rows written before the column existed
        Column("org_unit_id", String(64), nullable=False),
        Column("org_path", String(1000), nullable=False),
        Column("category", String(32), nullable=False),
        Column("rank_code", String(32), nullable=True),
        Column("level", Integer, nullable=True),
        Column("post_code", String(64), nullable=True),
        Column("leadership", Boolean, nullable=False),
        Column("relative_ids", Text, nullable=False),
        Column("active", Boolean, nullable=False),
        Column("updated_at", UtcDateTime, nullable=False),
        Index("ix_dir_cadre_org_path", "org_path"),
    )
    return DirectoryTables(org_unit=org_unit, cadre=cadre)


def directory_handlers(tables: DirectoryTables) -> dict[type, Handler]:
    """Returns the handlers that keep the directory (snapshot events, so guarded by entity version). Each is one
    upsert, so a consumer's batch writes the directory's rows in one statement per table (`Handler.row`)."""

    def org_unit_row(payload: rank_v1.OrgUnitChanged) -> tuple[Table, dict[str, Any], tuple[str, ...]]:
        values = {
            "org_unit_id": payload.org_unit_id,
            "parent_id": payload.parent_id,
            "name": payload.name,
            "agency_level": payload.agency_level.value,
            "path": path_of(payload.path),
            "active": payload.active,
            "updated_at": utcnow(),
        }
        return tables.org_unit, values, ("org_unit_id",)

    def cadre_row(payload: rank_v1.CadreSnapshot) -> tuple[Table, dict[str, Any], tuple[str, ...]]:
        values = {
            "cadre_id": payload.cadre_id,
            "name": payload.name,
            "gender": payload.gender.value,
            "birth_date": payload.birth_date,
            "entry_date": payload.entry_date,
            "org_unit_id": payload.org_unit_id,
            "org_path": path_of(payload.org_path),
            "category": payload.category.value,
            "rank_code": payload.rank_code,
            "level": payload.level,
            "post_code": payload.post_code,
            "leadership": payload.leadership,
            "relative_ids": orjson.dumps(sorted(payload.relative_ids)).decode(),
            "active": payload.active,
            "updated_at": utcnow(),
        }
        return tables.cadre, values, ("cadre_id",)

    def one_upsert(row: Callable[[Any], tuple[Table, dict[str, Any], tuple[str, ...]]]) -> Handler:
        async def apply(payload: Any, _event: CloudEvent, uow: Any) -> None:
            table, values, keys = row(payload)
            await upsert(uow.conn, table, values, keys)

        return Handler(apply, row=row)

    on_org_unit, on_cadre = one_upsert(org_unit_row), one_upsert(cadre_row)
    return {
        rank_v1.OrgUnitChanged: on_org_unit,
        rank_v1.CadreRegistered: on_cadre,
        rank_v1.CadreUpdated: on_cadre,
    }


@dataclass(frozen=True)
class DirCadre:
    cadre_id: str
    name: str
    org_unit_id: str
    org_path: str
    relative_ids: frozenset[str]
    active: bool
    birth_date: dt.date | None = None
    gender: str | None = None
    rank_code: str | None = None
    entry_date: dt.date | None = None

    def dated_fact(self, day: dt.date, *, field: str, rule: str) -> None:
        """Refuses a fact about this cadre dated before their entry into service (or birth, where the entry date
        is not known yet): 422 naming the field, never echoing the value."""
        floor, what = (self.entry_date, "entry into service") if self.entry_date else (self.birth_date, "birth")
        if floor is not None and day < floor:
            raise RuleViolation(f"{field} cannot be before the cadre's {what}", rule=rule, field=field)


class Directory:
    """Scope queries over the directory tables of one service."""

    def __init__(self, tables: DirectoryTables) -> None:
        self.tables = tables
        t, u = tables.cadre, tables.org_unit
        self._entries = select(
            t.c.cadre_id,
            t.c.name,
            t.c.org_unit_id,
            t.c.org_path,
            t.c.relative_ids,
            t.c.active,
            t.c.birth_date,
            t.c.gender,
            t.c.rank_code,
            t.c.entry_date,
        )
        # Built once with bind parameters: every scoped request runs them, and a statement built per request pays
        # SQLAlchemy's coercion and cache key each time (docs/DEVELOPING.md, SQL).
        self._entry_by_id = self._entries.where(t.c.cadre_id == bindparam("cadre_id"))
        self._entries_by_ids = self._entries.where(t.c.cadre_id.in_(bindparam("ids", expanding=True)))
        self._unit_path = select(u.c.path).where(u.c.org_unit_id == bindparam("unit_id"))
        self._relatives = select(t.c.relative_ids).where(t.c.cadre_id == bindparam("cadre_id"))
        # A cadre's entry with what the caller's access needs (their unit's path, their relatives): one statement
        # for a scoped read of one cadre instead of three. `caller` is an alias, so that it does not correlate.
        caller = t.alias("caller")
        self._entry_with_caller = self._entries.add_columns(
            select(u.c.path).where(u.c.org_unit_id == bindparam("unit_id")).scalar_subquery(),
            select(caller.c.relative_ids).where(caller.c.cadre_id == bindparam("me")).scalar_subquery(),
        ).where(t.c.cadre_id == bindparam("cadre_id"))

    def named(self, query: Select, cadre_col: Any) -> Select:
        """Adds the cadre's name, as `cadre_name`, to a query of records keyed by `cadre_col`: lists show people,
        not ids (None while the register's snapshot has not arrived)."""
        # An alias of its own, so that the scope's subqueries over dir_cadre do not correlate with it.
        c = self.tables.cadre.alias("named_cadre")
        return query.outerjoin(c, c.c.cadre_id == cadre_col).add_columns(c.c.name.label("cadre_name"))

    async def unit_path(self, conn: AsyncConnection, unit_id: str | None) -> str | None:
        """Returns the path of an org unit, or None if it is unknown."""
        if not unit_id:
            return None
        return (await conn.execute(self._unit_path, {"unit_id": unit_id})).scalar()

    @staticmethod
    def _entry(r: Any) -> DirCadre:
        return DirCadre(r[0], r[1], r[2], r[3], frozenset(orjson.loads(r[4])), r[5], r[6], r[7], r[8], r[9])

    async def cadre(self, conn: AsyncConnection, cadre_id: str) -> DirCadre | None:
        """Returns a directory entry, or None."""
        row = (await conn.execute(self._entry_by_id, {"cadre_id": cadre_id})).first()
        return None if row is None else self._entry(row)

    async def cadres(self, conn: AsyncConnection, cadre_ids: list[str]) -> dict[str, DirCadre]:
        """Returns the directory entries of several cadres in one query, by id (unknown ids are absent)."""
        if not cadre_ids:
            return {}
        rows = (await conn.execute(self._entries_by_ids, {"ids": sorted(set(cadre_ids))})).all()
        return {r[0]: self._entry(r) for r in rows}

    async def access(self, conn: AsyncConnection, principal: Principal) -> Access:
        """Resolves the caller's access (kernel.access) from this directory: unit path and relatives."""
        relatives: frozenset[str] = frozenset()
        if principal.cadre_id:
            raw = (await conn.execute(self._relatives, {"cadre_id": principal.cadre_id})).scalar()
            relatives = frozenset(orjson.loads(raw)) if raw else frozenset()
        return resolve(principal, unit_path=await self.unit_path(conn, principal.unit_id), relatives=relatives)

    def subtree(self, cadre_col: Any) -> Callable[[str], ColumnElement[bool]]:
        """Renders "the row's cadre is in the subtree at prefix" as an EXISTS over the directory."""
        d = self.tables.cadre

        def clause(prefix: str) -> ColumnElement[bool]:
            return exists().where(d.c.cadre_id == cadre_col, in_subtree(d.c.org_path, prefix))

        return clause

    def cadre_clause(self, access: Access, cadre_col: Any, *, sensitive: bool = False) -> ColumnElement[bool]:
        """Rows whose cadre the caller may see (kernel.access), for list queries."""
        return access.cadre_clause(cadre_col, self.subtree(cadre_col), sensitive=sensitive)

    async def unit_in_scope(self, conn: AsyncConnection, access: Access, unit_id: str) -> str | None:
        """Returns the path of an org unit in the caller's subtree, or None (unknown or outside)."""
        path = await self.unit_path(conn, unit_id)
        return path if access.sees_unit(path) else None

    async def visible_cadre(
        self, conn: AsyncConnection, principal: Principal | Access, cadre_id: str, *, sensitive: bool = False
    ) -> DirCadre | None:
        """Returns the cadre if the caller may see them (kernel.access), else None (the caller answers 404).

        With `sensitive` (petitions about the cadre, acting on their case), nobody sees their own record either.
        """
        entry = await self.cadre(conn, cadre_id)
        if entry is None:
            return None
        access = principal if isinstance(principal, Access) else await self.access(conn, principal)
        return entry if access.sees(entry.cadre_id, entry.org_path, sensitive=sensitive) else None

    async def require_visible(
        self, conn: AsyncConnection, principal: Principal, cadre_id: str, *, sensitive: bool = False
    ) -> tuple[Access, DirCadre]:
        """`require_cadre` with the caller's access resolved in the same statement; returns both (one statement
        where `access` and `require_cadre` take two or three)."""
        params = {"cadre_id": cadre_id, "unit_id": principal.unit_id, "me": principal.cadre_id}
        row = (await conn.execute(self._entry_with_caller, params)).first()
        if row is None:
            raise cadre_not_found()
        relatives = frozenset(orjson.loads(row[11])) if principal.cadre_id and row[11] else frozenset()
        access = resolve(principal, unit_path=row[10] if principal.unit_id else None, relatives=relatives)
        entry = self._entry(row)
        if not access.sees(entry.cadre_id, entry.org_path, sensitive=sensitive):
            raise cadre_not_found()
        return access, entry

    async def require_cadre(
        self, conn: AsyncConnection, access: Access, cadre_id: str, *, sensitive: bool = False, active: bool = False
    ) -> DirCadre:
        """Returns a cadre the caller may see, or raises the uniform 404 (kernel.access.cadre_not_found)."""
        entry = await self.visible_cadre(conn, access, cadre_id, sensitive=sensitive)
        if entry is None or (active and not entry.active):
            raise cadre_not_found()
        return entry
