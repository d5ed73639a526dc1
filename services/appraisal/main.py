"""The appraisal service app: `uvicorn --factory services.appraisal.main:create_app`."""

from __future__ import annotations

from fastapi import FastAPI

from kernel.app import build_app
from kernel.runtime import ServiceRuntime
from services.appraisal.adapters import orm
from services.appraisal.api.router import ROUTERS
from services.appraisal.jobs import jobs
from services.appraisal.messaging.subscriptions import SUBSCRIPTIONS
from services.appraisal.service_layer.context import AppraisalContext
from services.appraisal.service_layer.publishing import to_contracts
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork
from services.appraisal.settings import AppraisalSettings


def create_app(settings: AppraisalSettings | None = None) -> FastAPI:
    """Creates the appraisal app (nothing connects until the lifespan starts)."""
    settings = settings or AppraisalSettings()
    runtime = ServiceRuntime(
        settings,
        tables=orm.kernel_tables,
        uow_class=AppraisalUnitOfWork,
        to_contracts=to_contracts,
        context=AppraisalContext.build(settings),
        subscriptions=SUBSCRIPTIONS,
        jobs=jobs(settings),
    )
    return build_app(
        runtime,
        ROUTERS,
        title="Youwei appraisal service",
        description="Performance records, assessments and grades, the accountability index, "
        "inaction checklist, talks, awards, bonus allocation and incentive coverage",
    )
