"""The tolerance service app: `uvicorn --factory services.tolerance.main:create_app`."""

from __future__ import annotations

from fastapi import FastAPI

from kernel.app import build_app
from kernel.runtime import ServiceRuntime
from services.tolerance.adapters import orm
from services.tolerance.api.router import routers
from services.tolerance.jobs import expiry_job
from services.tolerance.messaging.subscriptions import subscriptions
from services.tolerance.service_layer.publishing import to_contracts
from services.tolerance.service_layer.unit_of_work import ToleranceUnitOfWork
from services.tolerance.settings import ToleranceSettings


def create_app(settings: ToleranceSettings | None = None) -> FastAPI:
    """Creates the tolerance app (nothing connects until the lifespan starts)."""
    settings = settings or ToleranceSettings()
    policy = settings.policy()
    jobs = [expiry_job(policy, interval_s=settings.expiry_sweep_interval_s, batch=settings.expiry_sweep_batch)]
    runtime = ServiceRuntime(settings, tables=orm.kernel_tables, uow_class=ToleranceUnitOfWork,
                             to_contracts=to_contracts, subscriptions=subscriptions(policy),
                             jobs=jobs if settings.expiry_sweep_enabled else [])
    app = build_app(runtime, routers(), title="Youwei tolerance service",
                    description="Error tolerance, sanctions and organizational handling, restrictions and reinstatement")
    app.state.policy = policy
    return app
