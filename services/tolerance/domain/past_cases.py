"""Past error-tolerance decisions (容错) and past investigations recorded as facts, with their real dates (pure).

As for past sanctions (`history.py`), a decision taken on paper or in another system is not re-run through the live
workflow (application → acceptance → checklist → collective decision, every step dated today): it is recorded as
what it was — the incident and its real date, the decision, its date, the document number (文号) and where the
record comes from — and then has the live decision's effects, computed from the real dates: `tolerance_granted` /
`tolerance_rejected` on the real decision date, an exemption withdraws the pending proposals on the incident and
closes the investigations about it on that date (their bars end the day before), a mitigation lowers the pending
proposals. A past investigation (立案审查调查) opens its bars on its real opening date and lifts them on its real
closing date, with the events of a live investigation mirrored from petitions.

Natural keys: a past tolerance decision is (cadre, decision date, 文号); a past investigation (cadre, opening date,
文号). Recording one again with the same values changes nothing; with other values it is a correction (a new revision
of the record, the previous one kept).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kernel.contracts.vocabulary import SanctionType, ToleranceDecision
from kernel.errors import RuleViolation
from services.tolerance.domain import events
from services.tolerance.domain.history import HISTORY_FLOOR, HISTORY_REF, HistorySource, normalize_document_number
from services.tolerance.domain.investigation import Incident, Investigation, InvestigationResult
from services.tolerance.domain.restrictions import Restriction
from services.tolerance.domain.rules.tolerance import Initiator
from services.tolerance.domain.tolerance_case import CaseStatus, ToleranceCase


def _key(*parts: str) -> str:
    raw = "\x1f".join(parts)
    return HISTORY_REF + hashlib.sha256(raw.encode()).hexdigest()[:40]


def _plausible(days: dict[str, dt.date | None], *, today: dt.date, rule: str) -> None:
    for name, day in days.items():
        if day is None:
            continue
        if day > today:
            raise RuleViolation(f"{name} cannot be in the future", rule=f"{rule}.future", field=name)
        if day < HISTORY_FLOOR:
            raise RuleViolation(f"{name} cannot be before 1900", rule=f"{rule}.too_old", field=name)


@dataclass(frozen=True)
class PastToleranceDecision:
    """An error-tolerance decision taken before the suite knew about it (about a known or a described incident)."""

    cadre_id: str
    decision: ToleranceDecision
    decided_on: dt.date
    reasons: str
    body: str  # the deciding body (party committee, ...)
    document_number: str
    source: HistorySource
    incident_id: str | None = None  # an incident already known here, or:
    occurred_on: dt.date | None = None  # the incident's real date
    summary: str | None = None
    applied_on: dt.date | None = None  # default: the decision date
    initiator: Initiator = Initiator.ORG_DEPT
    mitigated_to: SanctionType | None = None
    publication_scope: str | None = None

    @property
    def applied(self) -> dt.date:
        return self.applied_on or self.decided_on

    def natural_key(self) -> str:
        """The case's key: a digest of (cadre, decision date, 文号)."""
        return _key(
            "tolerance", self.cadre_id, self.decided_on.isoformat(), normalize_document_number(self.document_number)
        )

    def values(self) -> tuple[Any, ...]:
        """What a correction may change (the provenance `source` is not a value of the fact)."""
        return (
            self.incident_id,
            self.occurred_on,
            (self.summary or "").strip() or None,
            self.applied,
            self.initiator.value,
            self.decision.value,
            self.mitigated_to.value if self.mitigated_to else None,
            self.reasons.strip(),
            self.body.strip(),
            self.publication_scope,
        )

    def outcome(self) -> tuple[Any, ...]:
        """What was decided and sent (`tolerance_granted` / `tolerance_rejected`)."""
        return (self.decision.value, self.mitigated_to.value if self.mitigated_to else None)

    def check(self, *, today: dt.date) -> None:
        """The checks of a live decision that a past one can still be held to (the checklist and the meeting's
        quorum and recusals were the deciding body's, recorded under the 文号), and plausible real dates."""
        if (self.incident_id is None) == (self.occurred_on is None):
            raise RuleViolation(
                "name a known incident_id, or describe the incident with occurred_on and summary",
                rule="tolerance_history.incident",
                field="incident_id",
            )
        if self.occurred_on is not None and not (self.summary and self.summary.strip()):
            raise RuleViolation(
                "a described incident needs its summary", rule="tolerance_history.incident", field="summary"
            )
        _plausible(
            {"occurred_on": self.occurred_on, "applied_on": self.applied_on, "decided_on": self.decided_on},
            today=today,
            rule="tolerance_history",
        )
        if self.occurred_on is not None and self.applied < self.occurred_on:
            raise RuleViolation(
                "applied_on cannot be before the incident", rule="tolerance.applied_on", field="applied_on"
            )
        if self.decided_on < self.applied:
            raise RuleViolation(
                "decided_on cannot be before the application", rule="tolerance.decided_on", field="decided_on"
            )
        if not self.reasons.strip():
            raise RuleViolation("a decision needs its reasons", rule="tolerance.reasons", field="reasons")
        if self.mitigated_to is not None and self.decision is not ToleranceDecision.MITIGATE:
            raise RuleViolation(
                "mitigated_to belongs to a MITIGATE decision", rule="tolerance.mitigated_to", field="mitigated_to"
            )
        if not normalize_document_number(self.document_number):
            raise RuleViolation(
                "document_number is empty", rule="tolerance_history.document_number", field="document_number"
            )

    def incident(self, *, incident_id: str, today: dt.date) -> Incident:
        """The described incident, opened on the application (no application window: the decision is taken)."""
        assert self.occurred_on is not None and self.summary is not None
        return Incident.record(
            incident_id=incident_id,
            cadre_ids=[self.cadre_id],
            occurred_on=self.occurred_on,
            opened_on=self.applied,
            today=today,
            summary=self.summary,
        )

    def case(
        self,
        *,
        case_id: str,
        incident: Incident,
        today: dt.date,
        linked_sanction_decided: bool,
    ) -> ToleranceCase:
        """Builds the decided case as the live decision on the real date leaves it, then closed (its notification
        and filing happened on paper), with the live event on the real decision date."""
        self.check(today=today)
        case = ToleranceCase.apply(
            case_id=case_id,
            incident_id=incident.id,
            cadre_id=self.cadre_id,
            initiator=self.initiator,
            applied_on=self.applied,
            today=today,
            statement="",
            linked_sanction_decided=linked_sanction_decided,
            incident_occurred_on=incident.occurred_on,
        )
        on = self.decided_on
        case.accepted_on, case.verified_on, case.decided_on, case.closed_on = self.applied, on, on, on
        case.decision, case.decision_reasons = self.decision, self.reasons.strip()
        case.mitigated_to, case.decided_by_body = self.mitigated_to, self.body.strip()
        case.publication_scope = self.publication_scope
        case.status = CaseStatus.CLOSED
        if self.decision is ToleranceDecision.REJECT:
            case.events.append(events.ToleranceRejected(case.id, incident.id, self.cadre_id, on, incident.source_refs))
        else:
            case.events.append(
                events.ToleranceGranted(
                    case.id,
                    incident.id,
                    self.cadre_id,
                    self.decision.value,
                    on,
                    incident.source_refs,
                    self.mitigated_to.value if self.mitigated_to else None,
                )
            )
        return case


@dataclass(frozen=True)
class PastInvestigation:
    """An investigation (立案审查调查) opened, and possibly closed, before the suite knew about it."""

    cadre_id: str
    opened_on: dt.date
    document_number: str
    source: HistorySource
    closed_on: dt.date | None = None
    conclusion: InvestigationResult | None = None

    def natural_key(self) -> str:
        """The investigation's case reference: a digest of (cadre, opening date, 文号)."""
        return _key(
            "investigation", self.cadre_id, self.opened_on.isoformat(), normalize_document_number(self.document_number)
        )

    def values(self) -> tuple[Any, ...]:
        return (self.closed_on, self.conclusion.value if self.conclusion else None)

    def check(self, *, today: dt.date) -> None:
        """Plausible real dates; a closed investigation has its conclusion, an open one none."""
        _plausible(
            {"opened_on": self.opened_on, "closed_on": self.closed_on}, today=today, rule="investigation_history"
        )
        if (self.closed_on is None) != (self.conclusion is None):
            raise RuleViolation(
                "closed_on and conclusion go together", rule="investigation_history.conclusion", field="conclusion"
            )
        if self.closed_on is not None and self.closed_on < self.opened_on:
            raise RuleViolation(
                "an investigation cannot close before it opened", rule="investigation.closed_on", field="closed_on"
            )
        if not normalize_document_number(self.document_number):
            raise RuleViolation(
                "document_number is empty", rule="investigation_history.document_number", field="document_number"
            )

    def build(
        self,
        *,
        investigation_id: str,
        today: dt.date,
        new_id: Callable[[], str],
    ) -> tuple[Investigation, list[Restriction]]:
        """Opens the investigation and its bars on the real opening date and, if it closed, lifts them on the real
        closing date: the live investigation's own steps and events."""
        self.check(today=today)
        ref = self.natural_key()
        investigation, restrictions = Investigation.open(
            investigation_id=investigation_id,
            case_id=ref,
            report_id=ref,
            cadre_id=self.cadre_id,
            opened_on=self.opened_on,
            new_id=new_id,
        )
        if self.closed_on is not None and self.conclusion is not None:
            investigation.close(result=self.conclusion, on=self.closed_on, restrictions=restrictions)
        return investigation, restrictions
