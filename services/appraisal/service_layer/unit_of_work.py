"""The appraisal unit of work: the kernel transaction plus the service's repositories and policy."""

from __future__ import annotations

from kernel.calendar import WorkdayCalendar
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
from services.appraisal.settings import AppraisalSettings


class AppraisalUnitOfWork(UnitOfWork):
    """One transaction over the appraisal database; `settings` and `calendar` are bound by create_app()."""

    settings: AppraisalSettings
    calendar: WorkdayCalendar = WorkdayCalendar()
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


def bind(settings: AppraisalSettings) -> type[AppraisalUnitOfWork]:
    """Returns a unit-of-work class bound to a deployment's settings and working-day calendar."""
    calendar = WorkdayCalendar.load(settings.calendar_file)
    return type("BoundAppraisalUnitOfWork", (AppraisalUnitOfWork,), {"settings": settings, "calendar": calendar})
