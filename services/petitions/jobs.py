"""Periodic jobs of the petitions service: deadline breaches and reminders, and reporter-identity retention."""

from __future__ import annotations

from kernel.deps import china_today
from kernel.runtime import PeriodicJob, ServiceRuntime
from services.petitions.service_layer import deadlines
from services.petitions.service_layer.context import PetitionsContext


def jobs(tools: PetitionsContext) -> list[PeriodicJob]:
    """Returns the jobs (each safe with several replicas: rows are claimed by conditional updates)."""
    settings = tools.settings
    if not settings.periodic_jobs:
        return []

    async def sweep(runtime: ServiceRuntime) -> dict[str, int]:
        return await deadlines.sweep(runtime.uow, today=china_today(), batch=settings.sweep_batch_size)

    async def retention(runtime: ServiceRuntime) -> int:
        return await deadlines.purge_reporters(runtime.uow, today=china_today(), batch=settings.sweep_batch_size)

    return [
        PeriodicJob("petitions-deadline-sweep", settings.deadline_sweep_interval_s, sweep, initial_delay_s=2.0),
        PeriodicJob(
            "petitions-reporter-retention", settings.retention_sweep_interval_s, retention, initial_delay_s=5.0
        ),
    ]
