"""Internal domain events of the tolerance service (past tense, no version; mapped to contracts in publishing.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class RestrictionSnapshot:
    """What a restriction is at one moment (every restriction event carries the full state).

    Dates are internal: `ends_on` and `until` are exclusive (the first day free of it); publishing turns them into
    the inclusive last day the contracts carry.
    """

    restriction_id: str
    cadre_id: str
    effect: str
    source_type: str
    source_id: str
    starts_on: dt.date
    ends_on: dt.date | None
    until: dt.date | None
    status: str
    discretionary_extension: bool
    reason: str | None
    original_post_level: int | None
    original_rank_code: str | None


@dataclass(frozen=True)
class RestrictionActivated:
    state: RestrictionSnapshot


@dataclass(frozen=True)
class RestrictionExpired:
    state: RestrictionSnapshot


@dataclass(frozen=True)
class RestrictionLifted:
    state: RestrictionSnapshot


@dataclass(frozen=True)
class RestrictionExtended:
    state: RestrictionSnapshot


@dataclass(frozen=True)
class SanctionSnapshot:
    """The state carried by sanction events (`ends_on` exclusive, like every internal end date)."""

    sanction_id: str
    cadre_id: str
    system: str
    type: str
    effective_on: dt.date
    ends_on: dt.date | None
    period_months: int | None
    effects: tuple[str, ...]
    incident_id: str | None
    demotes_rank: bool
    demotes_level: bool


@dataclass(frozen=True)
class SanctionBecameEffective:
    state: SanctionSnapshot


@dataclass(frozen=True)
class SanctionExpired:
    state: SanctionSnapshot


@dataclass(frozen=True)
class SanctionVaried:
    state: SanctionSnapshot
    previous_type: str
    appeal_id: str | None


@dataclass(frozen=True)
class SanctionRevoked:
    state: SanctionSnapshot
    appeal_id: str | None
    revoked_on: dt.date
    publication_scope: str | None


@dataclass(frozen=True)
class SourceRef:
    type: str
    id: str


@dataclass(frozen=True)
class ToleranceGranted:
    case_id: str
    incident_id: str
    cadre_id: str
    decision: str
    decided_on: dt.date
    source_refs: tuple[SourceRef, ...]
    mitigated_to: str | None = None


@dataclass(frozen=True)
class ToleranceRejected:
    case_id: str
    incident_id: str
    cadre_id: str
    decided_on: dt.date
    source_refs: tuple[SourceRef, ...]


@dataclass(frozen=True)
class InvestigationOpened:
    investigation_id: str
    cadre_id: str
    case_id: str
    opened_on: dt.date


@dataclass(frozen=True)
class InvestigationClosed:
    investigation_id: str
    cadre_id: str
    case_id: str
    opened_on: dt.date
    closed_on: dt.date
    result: str


@dataclass(frozen=True)
class ReinstatementApproved:
    reinstatement_id: str
    cadre_id: str
    target_post: str
    target_post_level: int | None
    upper_consulted: bool
    decided_on: dt.date
