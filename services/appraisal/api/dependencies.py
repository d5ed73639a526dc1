"""Dependencies of the appraisal routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kernel.auth import Role
from kernel.deps import RuntimeDep, cadre_filter
from services.appraisal import views
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork

STAFF_READERS = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.ASSESSOR, Role.AUDITOR)
READERS = (*STAFF_READERS, Role.CADRE)
ASSESSORS = (Role.ORG_ADMIN, Role.ASSESSOR)


async def get_uow(runtime: RuntimeDep) -> AppraisalUnitOfWork:
    """Returns a new appraisal unit of work."""
    return runtime.uow()  # type: ignore[return-value]


UowDep = Annotated[AppraisalUnitOfWork, Depends(get_uow)]

# A list's `cadre_id` filter: 404 for a cadre the caller may not see (kernel.access).
CadreFilter = cadre_filter(views.directory_visible)
