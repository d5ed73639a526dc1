"""The caller's access in petitions (kernel.access): the public caller, the access of a route's caller, the uniform
404 of a report out of scope, and the directory tables it is decided from. The scope rule itself, as SQL, is
adapters.scope (`uow.scope`)."""

from __future__ import annotations

from typing import Any

from kernel.access import Access
from kernel.auth import Principal
from kernel.directory import Directory
from kernel.errors import NotFound
from services.petitions.adapters import orm
from services.petitions.service_layer.unit_of_work import PetitionsUnitOfWork

PUBLIC = Principal(subject="public", roles=frozenset(), unit_id=None)
DIRECTORY_TABLES = orm.directory  # the copy of rank's register kept by kernel.directory's consumers


async def access_for(conn: Any, directory: Directory, principal: Principal) -> Access:
    """Resolves a route's caller's access on its (reader) connection: subtree, self-service, relatives."""
    return await directory.access(conn, principal)


async def require_report(uow: PetitionsUnitOfWork, access: Access, report_id: str) -> None:
    """Raises NotFound unless the caller handles the report (open reports included for those who read them)."""
    if not await uow.scope.report_visible(access, report_id):
        raise NotFound("report not found", rule="report.scope", field="report_id")
