"""The tolerance service app: `uvicorn --factory services.tolerance.main:create_app`."""

from __future__ import annotations

from fastapi import FastAPI

from kernel.app import build_app
from kernel.runtime import ServiceRuntime
from services.tolerance.adapters import orm
from services.tolerance.api.router import ROUTERS
from services.tolerance.jobs import expiry_job
from services.tolerance.messaging.subscriptions import SUBSCRIPTIONS
from services.tolerance.service_layer.context import ToleranceContext
from services.tolerance.service_layer.publishing import to_contracts
from services.tolerance.service_layer.unit_of_work import ToleranceUnitOfWork
from services.tolerance.settings import ToleranceSettings


def create_app(settings: ToleranceSettings | None = None) -> FastAPI:
    """Creates the tolerance app (nothing connects until the lifespan starts)."""
    settings = settings or ToleranceSettings()
    context = ToleranceContext.build(settings)
    jobs = [expiry_job(interval_s=settings.expiry_sweep_interval_s, batch=settings.expiry_sweep_batch)]
    runtime = ServiceRuntime(
        settings,
        tables=orm.kernel_tables,
        uow_class=ToleranceUnitOfWork,
        to_contracts=to_contracts,
        context=context,
        subscriptions=SUBSCRIPTIONS,
        jobs=jobs if settings.expiry_sweep_enabled else [],
    )
    app = build_app(
        runtime,
        ROUTERS,
        title="Youwei tolerance service",
        description="Error tolerance, sanctions and organizational handling, restrictions and reinstatement",
    )
    return app
