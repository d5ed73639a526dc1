"""Dependencies of the rank routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kernel.deps import RuntimeDep
from services.rank.service_layer.unit_of_work import RankUnitOfWork


async def get_uow(runtime: RuntimeDep) -> RankUnitOfWork:
    """Returns a new rank unit of work."""
    return runtime.uow()  # type: ignore[return-value]


UowDep = Annotated[RankUnitOfWork, Depends(get_uow)]
