"""The petitions service app: `uvicorn --factory services.petitions.main:create_app`."""

from __future__ import annotations

from fastapi import FastAPI

from kernel.app import build_app
from kernel.runtime import ServiceRuntime
from services.petitions.adapters import orm
from services.petitions.api.router import router
from services.petitions.messaging.subscriptions import SUBSCRIPTIONS
from services.petitions.service_layer.publishing import to_contracts
from services.petitions.service_layer.unit_of_work import PetitionsUnitOfWork
from services.petitions.settings import PetitionsSettings


def create_app(settings: PetitionsSettings | None = None) -> FastAPI:
    """Creates the petitions app (nothing connects until the lifespan starts)."""
    settings = settings or PetitionsSettings()
    runtime = ServiceRuntime(settings, tables=orm.kernel_tables, uow_class=PetitionsUnitOfWork, to_contracts=to_contracts,
                             subscriptions=SUBSCRIPTIONS)
    return build_app(runtime, [router], title="Youwei petitions service", description="Confidential intake and screening of reports, defence, outcomes, false accusations, clarification and appeals")
