"""The appraisal unit of work: the kernel transaction plus the service's repositories."""

from __future__ import annotations

from kernel.uow import UnitOfWork


class AppraisalUnitOfWork(UnitOfWork):
    """One transaction over the appraisal database."""
