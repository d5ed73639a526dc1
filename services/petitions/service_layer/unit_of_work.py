"""The petitions unit of work: the kernel transaction plus the service's repositories."""

from __future__ import annotations

from kernel.uow import UnitOfWork


class PetitionsUnitOfWork(UnitOfWork):
    """One transaction over the petitions database."""
