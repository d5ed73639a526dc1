"""Investigations (立案审查调查) mirrored from petitions, and the incidents that sanctions and tolerance refer to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kernel.contracts.vocabulary import ReportOutcome, RestrictionEffect, RestrictionSource, SanctionType
from kernel.errors import InvalidTransition, RuleViolation
from services.tolerance.domain import events
from services.tolerance.domain.restrictions import Restriction
from services.tolerance.domain.rules.catalogue import Catalogue

INVESTIGATION_SOURCE = (
    "公职人员政务处分法 §52; 并行规定 §21(三); 组通字〔1998〕19号 (不定等次 while under investigation)"
)
INVESTIGATION_EFFECTS = (
    RestrictionEffect.NO_POST_PROMOTION,
    RestrictionEffect.NO_RANK_PROMOTION,
    RestrictionEffect.NO_LEVEL_PROMOTION,
    RestrictionEffect.GRADE_UNDETERMINED,
)


class InvestigationStatus(StrEnum):
    OPEN = "OPEN"
    CONCLUDING = "CONCLUDING"  # findings substantiated; the bar stays until the handling decision
    CLOSED = "CLOSED"


class InvestigationResult(StrEnum):
    NO_SANCTION = "NO_SANCTION"
    WARNING_LEVEL = "WARNING_LEVEL"
    SANCTIONED = "SANCTIONED"
    UNFOUNDED = "UNFOUNDED"


SUBSTANTIATED = frozenset({ReportOutcome.SUBSTANTIATED, ReportOutcome.PARTLY_SUBSTANTIATED})


# The investigation state machine: action → the states it is valid from (a refused action answers 409 with
# the actions allowed from the current state, kernel.errors.InvalidTransition.allowed).
INVESTIGATION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "conclude": (InvestigationStatus.OPEN,),
    "close": (InvestigationStatus.OPEN, InvestigationStatus.CONCLUDING),
}


@dataclass
class Investigation:
    """An open formal case about one cadre; while open it bars promotion and grading."""

    id: str
    case_id: str
    report_id: str
    cadre_id: str
    opened_on: dt.date
    status: InvestigationStatus = InvestigationStatus.OPEN
    incident_id: str | None = None
    closed_on: dt.date | None = None
    result: InvestigationResult | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def open(
        cls,
        *,
        investigation_id: str,
        case_id: str,
        report_id: str,
        cadre_id: str,
        opened_on: dt.date,
        new_id: Callable[[], str],
    ) -> tuple[Investigation, list[Restriction]]:
        """Opens the investigation and its open-ended restrictions."""
        investigation = cls(
            id=investigation_id, case_id=case_id, report_id=report_id, cadre_id=cadre_id, opened_on=opened_on
        )
        restrictions = [
            Restriction.activate(
                restriction_id=new_id(),
                cadre_id=cadre_id,
                effect=effect,
                source_type=RestrictionSource.INVESTIGATION,
                source_id=investigation_id,
                starts_on=opened_on,
                ends_on=None,
            )
            for effect in INVESTIGATION_EFFECTS
        ]
        investigation.events.append(events.InvestigationOpened(investigation_id, cadre_id, case_id, opened_on))
        return investigation, restrictions

    def conclude(self, *, incident_id: str) -> None:
        """Marks the findings substantiated: the investigation waits for the handling decision on the incident."""
        if self.status not in INVESTIGATION_TRANSITIONS["conclude"]:
            raise InvalidTransition(
                "investigation",
                self.status,
                "conclude",
                allowed_actions=InvalidTransition.allowed(INVESTIGATION_TRANSITIONS, self.status),
            )
        self.status = InvestigationStatus.CONCLUDING
        self.incident_id = incident_id

    def close(self, *, result: InvestigationResult, on: dt.date, restrictions: Iterable[Restriction]) -> None:
        """Closes the investigation and lifts its restrictions (补定等次 follows for NO_SANCTION / WARNING_LEVEL)."""
        if self.status not in INVESTIGATION_TRANSITIONS["close"]:
            raise InvalidTransition(
                "investigation",
                self.status,
                "close",
                allowed_actions=InvalidTransition.allowed(INVESTIGATION_TRANSITIONS, self.status),
            )
        if on < self.opened_on:
            raise RuleViolation("an investigation cannot close before it opened", rule="investigation.closed_on")
        for restriction in restrictions:
            restriction.lift(on, f"INVESTIGATION_{result.value}")
        self.status = InvestigationStatus.CLOSED
        self.closed_on = on
        self.result = result
        self.events.append(
            events.InvestigationClosed(self.id, self.cadre_id, self.case_id, self.opened_on, on, result.value)
        )


def classify_result(catalogue: Catalogue, decided_types: Iterable[SanctionType]) -> InvestigationResult:
    """Classifies the handling decided for the investigated facts (docs/rules.md §1.3: warning level allows 补定等次)."""
    types = list(decided_types)
    if not types:
        return InvestigationResult.NO_SANCTION
    if all(catalogue.rule(t).warning_level for t in types):
        return InvestigationResult.WARNING_LEVEL
    return InvestigationResult.SANCTIONED


def result_for_outcome(outcome: ReportOutcome) -> InvestigationResult | None:
    """Maps a cadre's report outcome to a closing result (None: substantiated, so the handling decides it)."""
    if outcome in SUBSTANTIATED:
        return None
    if outcome is ReportOutcome.UNFOUNDED:
        return InvestigationResult.UNFOUNDED
    return InvestigationResult.NO_SANCTION


class EffectLevel(StrEnum):
    MINOR = "MINOR"
    MODERATE = "MODERATE"
    SERIOUS = "SERIOUS"


@dataclass
class Incident:
    """Something that happened and may lead to accountability or tolerance, with its source references."""

    id: str
    cadre_ids: tuple[str, ...]
    occurred_on: dt.date
    opened_on: dt.date
    summary: str
    source_refs: tuple[events.SourceRef, ...] = ()
    loss_amount: int | None = None  # yuan
    effect_level: EffectLevel | None = None
    tolerance_window_ends_on: dt.date | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def record(
        cls,
        *,
        incident_id: str,
        cadre_ids: Iterable[str],
        occurred_on: dt.date,
        opened_on: dt.date,
        today: dt.date,
        summary: str,
        source_refs: Iterable[events.SourceRef] = (),
        loss_amount: int | None = None,
        effect_level: EffectLevel | None = None,
        window_days: int | None = None,
    ) -> Incident:
        """Records an incident; a window to apply for tolerance runs from when it is opened."""
        ids = tuple(dict.fromkeys(cadre_ids))
        if not ids:
            raise RuleViolation("an incident concerns at least one cadre", rule="incident.cadre_ids")
        if occurred_on > today:
            raise RuleViolation("occurred_on cannot be in the future", rule="incident.occurred_on")
        if opened_on < occurred_on:
            raise RuleViolation("an incident cannot be opened before it occurred", rule="incident.occurred_on")
        if loss_amount is not None and loss_amount < 0:
            raise RuleViolation("loss_amount cannot be negative", rule="incident.loss_amount")
        window = opened_on + dt.timedelta(days=window_days) if window_days else None
        return cls(
            id=incident_id,
            cadre_ids=ids,
            occurred_on=occurred_on,
            opened_on=opened_on,
            summary=summary.strip(),
            source_refs=tuple(dict.fromkeys(source_refs)),
            loss_amount=loss_amount,
            effect_level=effect_level,
            tolerance_window_ends_on=window,
        )
