"""The appraisal unit of work: the kernel transaction plus the service's repositories and rule inputs."""

from __future__ import annotations

from kernel.directory import Directory
from kernel.uow import UnitOfWork
from services.appraisal.adapters import orm, projections
from services.appraisal.adapters.assessment_repo import GradeRecordRepository, RegularAssessmentRepository
from services.appraisal.adapters.inaction_repo import InactionItemRepository, SelfCheckRepository
from services.appraisal.adapters.incentive_repo import BonusRepository, IncentiveRepository
from services.appraisal.adapters.index_repo import IndexRepository
from services.appraisal.adapters.past_fact_repo import PastFactRepository
from services.appraisal.adapters.projections import Projections
from services.appraisal.adapters.quota import QuotaRepository
from services.appraisal.adapters.repository import (
    AssessmentRepository,
    AwardRepository,
    FindingRepository,
    RecordRepository,
    TalkRepository,
)
from services.appraisal.adapters.talk_schedule_repo import TalkScheduleRepository
from services.appraisal.domain.rules.grade_rules import Facts
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
    grade_records: GradeRecordRepository
    regular: RegularAssessmentRepository
    quota: QuotaRepository
    inaction_items: InactionItemRepository
    self_checks: SelfCheckRepository
    schedules: TalkScheduleRepository
    bonuses: BonusRepository
    incentives: IncentiveRepository
    past_facts: PastFactRepository
    index: IndexRepository
    projections: Projections

    async def _open(self) -> None:
        self.assessments = AssessmentRepository(self.conn, self.track)
        self.records = RecordRepository(self.conn, self.track)
        self.findings = FindingRepository(self.conn, self.track)
        self.talks = TalkRepository(self.conn, self.track)
        self.awards = AwardRepository(self.conn, self.track)
        self.grade_records = GradeRecordRepository(self.conn)
        self.regular = RegularAssessmentRepository(self.conn)
        self.quota = QuotaRepository(self.conn, getattr(self.context, "settings", None))
        self.inaction_items = InactionItemRepository(self.conn)
        self.self_checks = SelfCheckRepository(self.conn)
        self.schedules = TalkScheduleRepository(self.conn)
        self.bonuses = BonusRepository(self.conn)
        self.incentives = IncentiveRepository(self.conn)
        self.past_facts = PastFactRepository(self.conn)
        self.index = IndexRepository(self.conn)
        self.projections = Projections(self.conn)

    async def grade_facts(self, cadre_id: str) -> Facts:
        """Returns what tolerance told this service about a cadre (the §1.3 rules' inputs)."""
        return await projections.grade_facts(self.conn, cadre_id)

    async def grade_facts_of(self, cadre_ids: list[str]) -> dict[str, Facts]:
        """`grade_facts` of several cadres at once."""
        return await projections.grade_facts_of(self.conn, cadre_ids)

    async def mark_dirty(self, pairs: set[tuple[str, str]]) -> None:
        """Queues (cadre, quarter) pairs for recomputation of the index."""
        await projections.mark_dirty(self.conn, pairs)
