"""The rank service app: `uvicorn --factory services.rank.main:create_app`."""

from __future__ import annotations

from fastapi import FastAPI

from kernel.app import build_app
from kernel.runtime import ServiceRuntime
from services.rank.adapters import identity, orm
from services.rank.api.router import ROUTERS
from services.rank.jobs import jobs
from services.rank.messaging.subscriptions import SUBSCRIPTIONS
from services.rank.service_layer.context import RankContext
from services.rank.service_layer.publishing import to_contracts
from services.rank.service_layer.unit_of_work import RankUnitOfWork
from services.rank.settings import RankSettings


def create_app(settings: RankSettings | None = None) -> FastAPI:
    """Creates the rank app (nothing connects until the lifespan starts)."""
    settings = settings or RankSettings()
    identity.configure(settings.id_number_key, production=settings.environment == "production")
    runtime = ServiceRuntime(
        settings,
        tables=orm.kernel_tables,
        uow_class=RankUnitOfWork,
        to_contracts=to_contracts,
        context=RankContext.build(settings),
        subscriptions=SUBSCRIPTIONS,
        jobs=jobs(settings),
    )
    return build_app(
        runtime,
        ROUTERS,
        title="Youwei rank service",
        description="Cadre register, rank ladder, promotion eligibility, batches and contracts",
    )
