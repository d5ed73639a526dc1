"""The petitions unit of work: the kernel transaction plus the service's repositories."""

from __future__ import annotations

from kernel.uow import UnitOfWork
from services.petitions.adapters.repository import (
    AppealRepository,
    ClarificationRepository,
    DeadlineRepository,
    FalseAccusationRepository,
    ReportRepository,
    StatementRepository,
)
from services.petitions.adapters.vault import VaultRepository
from services.petitions.service_layer.context import PetitionsContext


class PetitionsUnitOfWork(UnitOfWork):
    """One transaction over the petitions database."""

    context: PetitionsContext
    reports: ReportRepository
    statements: StatementRepository
    false_accusations: FalseAccusationRepository
    clarifications: ClarificationRepository
    appeals: AppealRepository
    deadlines: DeadlineRepository
    vault: VaultRepository

    async def _open(self) -> None:
        self.reports = ReportRepository(self.conn, self.track)
        self.statements = StatementRepository(self.conn, self.track)
        self.false_accusations = FalseAccusationRepository(self.conn, self.track)
        self.clarifications = ClarificationRepository(self.conn, self.track)
        self.appeals = AppealRepository(self.conn, self.track)
        self.deadlines = DeadlineRepository(self.conn, self.track)
        self.vault = VaultRepository(self.conn)
