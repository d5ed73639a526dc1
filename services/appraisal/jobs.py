"""Periodic jobs: drain the index queue (incremental recomputation) and materialize recurring talks."""

from __future__ import annotations

from kernel.runtime import PeriodicJob, ServiceRuntime
from services.appraisal.service_layer.index import recompute_dirty
from services.appraisal.service_layer.scope import today_cst
from services.appraisal.service_layer.talks import materialize_schedules


async def recompute_index(runtime: ServiceRuntime) -> int:
    """Recomputes the index of every (cadre, quarter) marked dirty since the last run."""
    settings = runtime.settings
    return await recompute_dirty(runtime.uow, limit=settings.index_batch_size)  # type: ignore[arg-type, attr-defined]


async def recurring_talks(runtime: ServiceRuntime) -> int:
    """Creates the talks that recurring schedules owe."""
    return await materialize_schedules(runtime.uow(), today=today_cst())  # type: ignore[arg-type]


def jobs(settings) -> list[PeriodicJob]:
    """Returns the periodic jobs of the service."""
    # The first run comes one interval after start (nothing is queued before the consumers and the API run).
    return [
        PeriodicJob(
            "index-recompute",
            settings.index_job_interval_s,
            recompute_index,
            initial_delay_s=settings.index_job_interval_s,
        ),
        PeriodicJob(
            "recurring-talks",
            settings.talk_schedule_job_interval_s,
            recurring_talks,
            initial_delay_s=min(settings.talk_schedule_job_interval_s, 60.0),
        ),
    ]
