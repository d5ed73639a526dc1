"""Dependencies of the rank routes: unit of work, context, rule parameters (for views), role sets."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kernel.auth import Role
from kernel.deps import cadre_filter, get_context, runtime_of
from services.rank import views
from services.rank.service_layer.context import RankContext, RankPolicies
from services.rank.service_layer.unit_of_work import RankUnitOfWork

ContextDep = Annotated[RankContext, Depends(get_context)]


async def get_uow(request: Request) -> RankUnitOfWork:
    """Returns a new rank unit of work (from the request: one dependency less to solve, kernel.deps.runtime_of)."""
    return runtime_of(request).uow()  # type: ignore[return-value]


async def get_policies(context: ContextDep) -> RankPolicies:
    """Returns the configured rule parameters (built once per process)."""
    return context.policies


UowDep = Annotated[RankUnitOfWork, Depends(get_uow)]
PoliciesDep = Annotated[RankPolicies, Depends(get_policies)]


# Role sets of docs/permissions.md (rank).
A, D, P, S, C, U = (
    Role.ORG_ADMIN,
    Role.DISCIPLINE_OFFICER,
    Role.PETITIONS_STAFF,
    Role.ASSESSOR,
    Role.CADRE,
    Role.AUDITOR,
)
REGISTER_READERS = (A, D, P, S, C, U)
CONFIG_READERS = (A, D, S, C, U)
ELIGIBILITY_READERS = (A, D, S, C, U)
BATCH_READERS = (A, D, S, U)
BATCH_VOTERS = (A, S)
CONTRACT_READERS = (A, S, C, U)
TRACK_READERS = (A, S, U)
DOSSIER_READERS = (A, D, S, C, U)
DASHBOARD_READERS = (A, D, S, U)
WRITERS = (A,)


# A list's `cadre_id` filter: 404 for a cadre the caller may not see (kernel.access).
CadreFilter = cadre_filter(views.visible_cadre)
