"""Who may act on which cadre's records: org-unit scope, self-service, conflicts of interest, roles by system."""

from __future__ import annotations

from kernel.access import cadre_not_found
from kernel.auth import Principal, Role
from kernel.contracts.vocabulary import SanctionSystem
from kernel.directory import DirCadre
from kernel.errors import Forbidden
from services.tolerance.adapters.directory import DIRECTORY
from services.tolerance.domain.sanction import ORG_DECIDABLE
from services.tolerance.service_layer.unit_of_work import ToleranceUnitOfWork

DIRECTORY_TABLES = DIRECTORY.tables  # what the directory's consumers keep up to date (messaging.subscriptions)


async def cadre_for_action(uow: ToleranceUnitOfWork, principal: Principal, cadre_id: str) -> DirCadre:
    """Returns the cadre if the principal may act on their records; acting on oneself or a relative is refused
    like an object outside scope (404, docs/permissions.md rule 3)."""
    return await uow.directory.for_action(principal, cadre_id)


async def own_cadre(uow: ToleranceUnitOfWork, principal: Principal, cadre_id: str) -> DirCadre:
    """Returns the cadre if the principal is that cadre (self-service), else 404."""
    entry = await uow.directory.entry(cadre_id)
    if entry is None or principal.cadre_id != cadre_id:
        raise cadre_not_found()
    return entry


def require_system_role(principal: Principal, system: SanctionSystem) -> None:
    """Refuses (403) a sanction action to a role that may not take it for this system."""
    allowed = {Role.DISCIPLINE_OFFICER, Role.ORG_ADMIN} if system in ORG_DECIDABLE else {Role.DISCIPLINE_OFFICER}
    if not principal.has(*allowed):
        raise Forbidden(
            f"your role may not act on {system.value} measures",
            rule="sanction.role",
            required_roles=sorted(r.value for r in allowed),
        )
