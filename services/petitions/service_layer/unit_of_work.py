"""The petitions unit of work: the kernel transaction plus the service's repositories."""

from __future__ import annotations

from kernel.uow import UnitOfWork
from services.petitions.adapters.directory import DirectoryRepository
from services.petitions.adapters.repository import (
    AppealableDecisionRepository,
    AppealRecordRepository,
    AppealRepository,
    ClarificationRepository,
    DeadlineRepository,
    FalseAccusationRepository,
    QuestionRepository,
    ReportRepository,
    StatementRepository,
)
from services.petitions.adapters.scope import ScopeRepository
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
    appeal_records: AppealRecordRepository
    decisions: AppealableDecisionRepository
    deadlines: DeadlineRepository
    questions: QuestionRepository
    vault: VaultRepository
    scope: ScopeRepository
    directory: DirectoryRepository

    async def _open(self) -> None:
        self.reports = ReportRepository(self.conn, self.track)
        self.statements = StatementRepository(self.conn, self.track)
        self.false_accusations = FalseAccusationRepository(self.conn, self.track)
        self.clarifications = ClarificationRepository(self.conn, self.track)
        self.appeals = AppealRepository(self.conn, self.track)
        self.appeal_records = AppealRecordRepository(self.conn)
        self.decisions = AppealableDecisionRepository(self.conn)
        self.deadlines = DeadlineRepository(self.conn, self.track)
        self.questions = QuestionRepository(self.conn)
        self.vault = VaultRepository(self.conn)
        directory = self.context.directory if self.context is not None else None  # None: a bare sweep (bench)
        self.scope = ScopeRepository(self.conn, directory)
        self.directory = DirectoryRepository(self.conn, directory)
