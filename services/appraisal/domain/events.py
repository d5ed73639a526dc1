"""Internal domain events of the appraisal service (past tense, no version; mapped to contracts in publishing.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class GradeFinalized:
    assessment_id: str
    cadre_id: str
    org_unit_id: str
    year: int
    grade: str
    finalized_on: dt.date
    supplemented: bool = False
    amended: bool = False
    undetermined_reason: str | None = None


@dataclass(frozen=True)
class InactionConfirmed:
    finding_id: str
    cadre_id: str
    item_code: str
    severity: int
    triggers_accountability: bool
    occurred_on: dt.date
    confirmed_on: dt.date
    incident_ref: str | None


@dataclass(frozen=True)
class AdmonishmentIssued:
    talk_id: str
    cadre_id: str
    issued_on: dt.date
    reason: str


@dataclass(frozen=True)
class AwardGranted:
    award_id: str
    cadre_id: str
    type: str
    basis: str
    year: int | None
    granted_on: dt.date


@dataclass(frozen=True)
class AwardRevoked:
    award_id: str
    cadre_id: str
    type: str
    revoked_on: dt.date
    reason: str
