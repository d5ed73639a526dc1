"""The one access rule of the suite: which cadres' records a caller may see or act on (docs/permissions.md).

Every service and the gateway decide with this module; none keeps its own copy of the rule.

- **Self-service.** A caller who holds the `cadre` role and no role that reads other people's records reads only
  their own records (the `subscriber` role reads no object, so `{cadre, subscriber}` is self-service too).
- **Subtree.** Every other object-reading role sees the cadres of its unit's subtree (the `unit` claim); a caller
  with no unit, or an unknown unit, sees no one by org scope.
- **Own and relatives.** Nobody, whatever their role, sees a relative's records (公务员法 §74 回避; relatives are
  mirrored by rank on both cadres, so the caller's own entry lists them all). For *sensitive* matters — petitions
  about a cadre, acting on a cadre's case — the caller's own records are excluded as well.
- **404, not 403.** A cadre outside these bounds gets exactly the answer an unknown id gets (`NotFound` with the
  same title and no echo of the id), so an answer never tells whether an id exists elsewhere.

The decisions are pure (`Access.sees`, `Access.sees_unit`); `Access.cadre_clause` renders the same rule as SQL for
lists. Resolving an `Access` needs the caller's unit path and relatives, which rank reads from its register and the
other services from their directory projection (`kernel.directory.Directory.access`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_

from kernel.auth import Principal, Role
from kernel.errors import NotFound

# Roles that read other cadres' records within their subtree (docs/permissions.md, "Roles and scope").
OBJECT_READERS = frozenset({Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.PETITIONS_STAFF, Role.ASSESSOR, Role.AUDITOR})


def self_service(principal: Principal) -> bool:
    """Tells whether the caller reads only their own records (the cadre role without an object-reading role)."""
    return principal.has(Role.CADRE) and not principal.has(*OBJECT_READERS)


def in_subtree(path_column: Any, prefix: str) -> ColumnElement[bool]:
    """A path column inside the subtree at `prefix` (LIKE with the prefix escaped: ids may hold '_' or '%')."""
    return path_column.startswith(prefix, autoescape=True)


@dataclass(frozen=True)
class Access:
    """What one caller may see: their unit's subtree (or only themself), never their relatives."""

    principal: Principal
    prefix: str | None  # org path of the caller's unit; None: no unit, or a unit the service does not know
    relatives: frozenset[str] = frozenset()

    @property
    def me(self) -> str | None:
        """The caller's own cadre id, if the token names one."""
        return self.principal.cadre_id

    @property
    def self_only(self) -> bool:
        """Tells whether the caller reads only their own records."""
        return self_service(self.principal)

    @property
    def reads_own(self) -> bool:
        """Tells whether the caller may read their own (non-sensitive) records as a cadre."""
        return self.me is not None and self.principal.has(Role.CADRE)

    def excluded(self, *, sensitive: bool = False) -> frozenset[str]:
        """Cadres the caller never sees: relatives always, themself too in sensitive matters."""
        if sensitive and self.me:
            return self.relatives | {self.me}
        return self.relatives

    def sees_unit(self, path: str | None) -> bool:
        """Tells whether an org unit (by its path) lies in the caller's subtree."""
        return not self.self_only and self.prefix is not None and path is not None and path.startswith(self.prefix)

    def sees(self, cadre_id: str, org_path: str | None, *, sensitive: bool = False) -> bool:
        """Tells whether the caller may see a cadre's records (`org_path`: the cadre's current unit path)."""
        if cadre_id in self.excluded(sensitive=sensitive):
            return False
        if cadre_id == self.me and self.reads_own:
            return True
        return self.sees_unit(org_path)

    def cadre_clause(
        self, cadre_col: Any, subtree: Callable[[str], ColumnElement[bool]], *, sensitive: bool = False
    ) -> ColumnElement[bool]:
        """The same rule as SQL: rows whose cadre (`cadre_col`) the caller may see.

        `subtree(prefix)` renders "this row's cadre belongs to the subtree at prefix" for the caller's tables
        (an EXISTS over the directory, or a join on the register's org units).
        """
        parts: list[ColumnElement[bool]] = []
        if not self.self_only and self.prefix is not None:
            parts.append(subtree(self.prefix))
        if self.reads_own and not sensitive:
            parts.append(cadre_col == self.me)
        if not parts:
            return false()
        clause = parts[0] if len(parts) == 1 else or_(*parts)
        excluded = self.excluded(sensitive=sensitive)
        if excluded:
            clause = and_(clause, cadre_col.not_in(sorted(excluded)))
        return clause

    def unit_clause(self, path_col: Any) -> ColumnElement[bool]:
        """Rows of org units (by a path column) in the caller's subtree."""
        if self.self_only or self.prefix is None:
            return false()
        return in_subtree(path_col, self.prefix)

    def require(self, cadre_id: str, org_path: str | None, *, sensitive: bool = False) -> None:
        """Raises the uniform 404 unless the caller may see the cadre."""
        if not self.sees(cadre_id, org_path, sensitive=sensitive):
            raise cadre_not_found()


def within(principal: Principal, path_ids: Sequence[str]) -> bool:
    """The subtree rule on an object's unit id path (root first): the caller's unit lies on it.

    The same decision as `Access.sees_unit`, for code that holds an aggregate's id path and not the caller's
    resolved access (rank's write side, deciding on org units and batches it has just loaded).
    """
    return not self_service(principal) and principal.unit_id is not None and principal.unit_id in path_ids


def resolve(principal: Principal, *, unit_path: str | None, relatives: Iterable[str] = ()) -> Access:
    """Builds the caller's access from their unit's path and their relatives (as the service's data has them)."""
    return Access(principal, unit_path, frozenset(relatives))


def cadre_not_found(field: str = "cadre_id") -> NotFound:
    """The one answer for an unknown cadre and for one outside the caller's bounds (never echoes the id)."""
    return NotFound("cadre not found", rule="scope.cadre", field=field)


def unit_not_found(field: str = "org_unit_id") -> NotFound:
    """The one answer for an unknown org unit and for one outside the caller's subtree."""
    return NotFound("org unit not found", rule="scope.org_unit", field=field)
