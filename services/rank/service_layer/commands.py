"""Inputs of the rank use cases (imperative names)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CreateOrgUnit:
    code: str
    name: str
    agency_level: str
    parent_id: str | None


@dataclass(frozen=True)
class ChangeOrgUnit:
    unit_id: str
    version: int
    name: str | None = None
    agency_level: str | None = None
    parent_id: str | None = None
    active: bool | None = None


@dataclass(frozen=True)
class RegisterCadre:
    name: str
    gender: str
    birth_date: dt.date
    entry_date: dt.date
    org_unit_id: str
    category: str
    party_member: bool
    education: str | None
    id_number: str | None = None  # checked and kept only as a keyed hash


@dataclass(frozen=True)
class UpdateCadre:
    cadre_id: str
    version: int
    changes: dict[str, Any] = field(default_factory=dict)
    org_unit_id: str | None = None
    moved_on: dt.date | None = None


@dataclass(frozen=True)
class SetRelatives:
    cadre_id: str
    relatives: dict[str, str]


@dataclass(frozen=True)
class AddRankHolding:
    cadre_id: str
    rank_code: str
    since: dt.date
    basis: str
    level: int | None = None
    source_ref: str | None = None


@dataclass(frozen=True)
class AddPostHolding:
    cadre_id: str
    post_code: str | None
    since: dt.date
    basis: str
    hardship: bool = False
    source_ref: str | None = None


@dataclass(frozen=True)
class RegisterCadreWithHoldings:
    """One item of a batch registration: the cadre, and the rank and post held from a date (cadre_id filled in)."""

    cadre: RegisterCadre
    rank: AddRankHolding | None = None
    post: AddPostHolding | None = None


@dataclass(frozen=True)
class AddLevelHolding:
    cadre_id: str
    level: int
    step: int | None
    since: dt.date
    basis: str


@dataclass(frozen=True)
class ExecuteDemotion:
    cadre_id: str
    demotion_id: str
    effective_date: dt.date


@dataclass(frozen=True)
class PublishLadder:
    series: str
    definition: dict[str, Any]


@dataclass(frozen=True)
class CreatePointsScheme:
    org_unit_id: str
    definition: dict[str, Any]
    effective_from: dt.date


@dataclass(frozen=True)
class SetQuota:
    org_unit_id: str
    bucket: str
    rank_codes: list[str]
    max_count: int
    effective_from: dt.date
    source: str | None = None


@dataclass(frozen=True)
class PlanBatch:
    org_unit_id: str
    title: str
    target_ranks: list[str]


@dataclass(frozen=True)
class BatchAction:
    """A transition of a promotion batch that needs nothing but the batch (and maybe a candidate)."""

    batch_id: str
    action: str
    cadre_id: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SignContract:
    cadre_id: str
    kind: str
    starts_on: dt.date
    ends_on: dt.date | None
    probation_months: int
    tier: str | None = None


@dataclass(frozen=True)
class ContractAction:
    contract_id: str
    action: str  # file | decide | terminate
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ExitCadre:
    cadre_id: str
    version: int
    reason: str
