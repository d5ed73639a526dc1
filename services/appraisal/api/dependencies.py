"""Dependencies of the appraisal routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kernel.auth import Role
from kernel.deps import cadre_filter, runtime_of
from services.appraisal import views
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork

STAFF_READERS = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.ASSESSOR, Role.AUDITOR)
READERS = (*STAFF_READERS, Role.CADRE)
ASSESSORS = (Role.ORG_ADMIN, Role.ASSESSOR)


async def get_uow(request: Request) -> AppraisalUnitOfWork:
    """Returns a new appraisal unit of work (from the request: one dependency less to solve, kernel.deps.runtime_of)."""
    return runtime_of(request).uow()  # type: ignore[return-value]


UowDep = Annotated[AppraisalUnitOfWork, Depends(get_uow)]

# A list's `cadre_id` filter: 404 for a cadre the caller may not see (kernel.access).
CadreFilter = cadre_filter(views.directory_visible)
