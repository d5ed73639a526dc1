"""The tolerance unit of work: the kernel transaction plus the service's repositories."""

from __future__ import annotations

from kernel.uow import UnitOfWork
from services.tolerance.adapters.appeals import AppealLog
from services.tolerance.adapters.directory import CadreDirectory
from services.tolerance.adapters.expiry import ExpiryClaims
from services.tolerance.adapters.projections import Projections
from services.tolerance.adapters.records import PastFactRecords
from services.tolerance.adapters.repository import (
    IncidentRepository,
    InvestigationRepository,
    ReinstatementRepository,
    RestrictionRepository,
    SanctionRepository,
    ToleranceCaseRepository,
)
from services.tolerance.service_layer.context import ToleranceContext


class ToleranceUnitOfWork(UnitOfWork):
    """One transaction over the tolerance database."""

    context: ToleranceContext
    incidents: IncidentRepository
    sanctions: SanctionRepository
    restrictions: RestrictionRepository
    investigations: InvestigationRepository
    cases: ToleranceCaseRepository
    reinstatements: ReinstatementRepository
    records: PastFactRecords
    appeals: AppealLog
    expiry: ExpiryClaims
    projections: Projections
    directory: CadreDirectory

    async def _open(self) -> None:
        self.incidents = IncidentRepository(self.conn, self.track)
        self.sanctions = SanctionRepository(self.conn, self.track)
        self.restrictions = RestrictionRepository(self.conn, self.track)
        self.investigations = InvestigationRepository(self.conn, self.track)
        self.cases = ToleranceCaseRepository(self.conn, self.track)
        self.reinstatements = ReinstatementRepository(self.conn, self.track)
        self.records = PastFactRecords(self.conn)
        self.appeals = AppealLog(self.conn)
        self.expiry = ExpiryClaims(self.conn)
        self.projections = Projections(self.conn)
        self.directory = CadreDirectory(self.conn)
