"""Dependencies of the tolerance routes: unit of work, context, policy (for parsing codes), role sets."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kernel.auth import Role
from kernel.contracts.vocabulary import SanctionType
from kernel.deps import cadre_filter, get_context, runtime_of
from services.tolerance.service_layer.context import Policy, ToleranceContext
from services.tolerance.service_layer.unit_of_work import ToleranceUnitOfWork
from services.tolerance.views.scope import DIRECTORY

READERS = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.ASSESSOR, Role.CADRE, Role.AUDITOR)
DECIDERS = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER)
APPLICANTS = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.ASSESSOR, Role.CADRE)
REINSTATEMENT_READERS = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.CADRE, Role.AUDITOR)
DASHBOARD_READERS = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.ASSESSOR, Role.AUDITOR)
CATALOGUE_READERS = (
    Role.ORG_ADMIN,
    Role.DISCIPLINE_OFFICER,
    Role.PETITIONS_STAFF,
    Role.ASSESSOR,
    Role.CADRE,
    Role.AUDITOR,
)


ContextDep = Annotated[ToleranceContext, Depends(get_context)]


async def get_uow(request: Request) -> ToleranceUnitOfWork:
    """Returns a new tolerance unit of work (from the request: one dependency less to solve, kernel.deps.runtime_of)."""
    return runtime_of(request).uow()  # type: ignore[return-value]


async def get_policy(context: ContextDep) -> Policy:
    """Returns the regulation figures in force (built once per process)."""
    return context.policy


UowDep = Annotated[ToleranceUnitOfWork, Depends(get_uow)]
PolicyDep = Annotated[Policy, Depends(get_policy)]


def sanction_type(policy: Policy, code: str | None) -> SanctionType | None:
    """Resolves a sanction type code through the catalogue (422 naming the rule for an unknown one)."""
    if code is None:
        return None
    return policy.catalogue.rule(code).type


# A list's `cadre_id` filter: 404 for a cadre the caller may not see (kernel.access).
CadreFilter = cadre_filter(DIRECTORY.visible_cadre)
