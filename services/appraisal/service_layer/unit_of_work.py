"""The appraisal unit of work: the kernel transaction plus the service's repositories and policy."""

from __future__ import annotations

from kernel.directory import Directory
from kernel.uow import UnitOfWork
from services.appraisal.adapters import orm
from services.appraisal.adapters.repository import (
    AssessmentRepository,
    AwardRepository,
    FindingRepository,
    RecordRepository,
    TalkRepository,
)
from services.appraisal.service_layer.context import AppraisalContext


class AppraisalUnitOfWork(UnitOfWork):
    """One transaction over the appraisal database; `context` (settings, calendar) comes from the runtime."""

    context: AppraisalContext
    directory = Directory(orm.directory)
    assessments: AssessmentRepository
    records: RecordRepository
    findings: FindingRepository
    talks: TalkRepository
    awards: AwardRepository

    async def _open(self) -> None:
        self.assessments = AssessmentRepository(self.conn, self.track)
        self.records = RecordRepository(self.conn, self.track)
        self.findings = FindingRepository(self.conn, self.track)
        self.talks = TalkRepository(self.conn, self.track)
        self.awards = AwardRepository(self.conn, self.track)
